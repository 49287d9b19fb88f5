// 城市管家: the catalogue, reports, their timeline and photos, the rating.
const { request, upload, download } = require('./request')

let catalogue = null

// categories is the catalogue, fetched once per launch (grouped by 大类 in the picker).
function categories() {
  if (!catalogue) {
    catalogue = request({ path: '/api/v1/categories' }).then((d) => d.categories || [])
    catalogue.catch(() => {
      catalogue = null
    })
  }
  return catalogue
}

// suggestCategories asks the server (智能分类) for the three likeliest
// categories of a description, best first: [{code, name, score}].
function suggestCategories(description) {
  return request({ method: 'POST', path: '/api/v1/categories/suggest', data: { description } }).then((d) => d.suggestions || [])
}

// openNearby asks whether a report of category is already open near the
// point (GCJ-02 from wx.getLocation): {open_nearby, will_merge, radius_m}.
function openNearby({ category, latitude, longitude }) {
  return request({
    path: '/api/v1/complaints/open-nearby',
    params: { category, lat: latitude, lng: longitude, coord_system: 'gcj02' },
  })
}

// create files a report; the position is the phone's GCJ-02 one.
function create({ category, description, latitude, longitude, address }, idempotencyKey) {
  return request({
    method: 'POST',
    path: '/api/v1/complaints',
    data: { category, description, lat: latitude, lng: longitude, coord_system: 'gcj02', address },
    idempotencyKey,
  })
}

function list({ page = 1, status } = {}) {
  return request({ path: '/api/v1/complaints', params: { page, status } })
}

function get(id) {
  return request({ path: `/api/v1/complaints/${id}` })
}

// uploadPhoto adds a photo (kind report) to a report that exists.
function uploadPhoto(id, filePath, kind = 'report') {
  return upload({ path: `/api/v1/complaints/${id}/photos`, filePath, formData: { kind } })
}

// photoFile downloads a photo (they need the login) and answers a local path for <image>.
function photoFile(photo) {
  return download(photo.url || `/api/v1/photos/${photo.id}`)
}

// rate answers the 回访: solved (问题是否解决), score 3 满意 / 2 基本满意 / 1 不满意, comment.
function rate(id, { score, solved, comment }, idempotencyKey) {
  return request({ method: 'POST', path: `/api/v1/complaints/${id}/rate`, data: { score, solved, comment }, idempotencyKey })
}

module.exports = { categories, suggestCategories, openNearby, create, list, get, uploadPhoto, photoFile, rate }
