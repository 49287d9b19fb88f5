// 活动相册, the same on the organiser's and the volunteer's activity page:
// the album shown and images added. The page holds photos, albumError,
// uploading and uploadText in its data.
const { volunteer } = require('../services/index')
const { showError, toast } = require('./ui')
const { wxp, cancelled } = require('./wxp')
const idem = require('./idem')

// WeChat's own limit on images chosen at once.
const MAX_CHOSEN = 9

// loadAlbum shows the album; a photo is downloaded once (they need the
// login), since the page is shown again after every preview.
async function loadAlbum(page, activityId) {
  try {
    const list = await volunteer.photos(activityId)
    page._paths = page._paths || {}
    const photos = []
    for (const p of list) {
      if (!page._paths[p.id]) {
        try {
          page._paths[p.id] = await volunteer.photoFile(p)
        } catch (e) {
          continue // a photo that cannot be fetched now is left out
        }
      }
      photos.push({ id: p.id, path: page._paths[p.id] })
    }
    page.setData({ photos, albumError: '' })
  } catch (e) {
    page.setData({ albumError: e.message })
  }
}

function previewPhoto(page, src) {
  wx.previewImage({ current: src, urls: page.data.photos.map((p) => p.path) })
}

// uploadPhotos adds the chosen images one by one; those that fail are said,
// with the server's reason, and the rest still go. Then the album is read again.
async function uploadPhotos(page, activityId) {
  if (page.data.uploading) return
  let files
  try {
    const res = await wxp('chooseMedia', { count: MAX_CHOSEN, mediaType: ['image'], sizeType: ['compressed'], sourceType: ['album', 'camera'] })
    files = (res.tempFiles || []).map((f) => f.tempFilePath)
  } catch (e) {
    if (!cancelled(e)) toast('无法选择照片，请检查相册权限')
    return
  }
  if (!files.length) return
  page._uploads = page._uploads || {}
  let sent = 0
  let failure = null
  page.setData({ uploading: true })
  for (let i = 0; i < files.length; i++) {
    const path = files[i]
    page.setData({ uploadText: `上传中 ${i + 1}/${files.length}` })
    // A key per file: sending the same file again after a lost answer does not add it twice.
    page._uploads[path] = page._uploads[path] || {}
    try {
      await idem.send(page._uploads[path], { photo: path }, (key) => volunteer.uploadPhoto(activityId, path, key))
      sent++
    } catch (e) {
      failure = failure || e
    }
  }
  page.setData({ uploading: false, uploadText: '' })
  if (!failure) toast(`已上传 ${sent} 张照片`)
  else if (!sent) showError(failure)
  else showError({ message: `已上传 ${sent} 张，${files.length - sent} 张未上传：${failure.message}` })
  await loadAlbum(page, activityId)
}

module.exports = { loadAlbum, previewPhoto, uploadPhotos, MAX_CHOSEN }
