// The crew page: my open tasks, overdue first then newest, with accept,
// navigation, GPS check-in, before/after photos, resolve and return.
'use strict';
(() => {
  const { h, api } = GJ;
  const list = document.getElementById('tasks');
  const summary = document.getElementById('crew-summary');
  const errEl = document.getElementById('crew-error');
  let cats = new Map();

  // act posts one action and reloads; errors are shown on the task's card.
  async function act(card, action, body, button) {
    const err = card.querySelector('.task-error');
    GJ.showError(err, null);
    if (button) button.disabled = true;
    try {
      await api('POST', `/api/v1/complaints/${card.dataset.id}/${action}`, body);
      GJ.toast(`${GJ.ACTION[action]}成功`);
      if (button && button.form) button.form.reset(); // sent: the redraw must not put it back
      await load();
    } catch (e) {
      GJ.showError(err, e);
      if (button) button.disabled = false;
    }
  }

  function navLinks(d) {
    const name = encodeURIComponent(d.address || `工单${d.id}`);
    return [
      h('a', { href: `https://uri.amap.com/marker?position=${d.lng},${d.lat}&name=${name}&coordinate=wgs84&callnative=1`, target: '_blank', rel: 'noopener' }, '高德导航'),
      h('a', { href: `geo:${d.lat},${d.lng}?q=${d.lat},${d.lng}(${name})` }, '手机地图'),
    ];
  }

  const PHOTO_KIND = { report: '上报', before: '处置前', after: '处置后' };
  // photoStrip shows a task's photos (an empty strip keeps the place for the first).
  const photoStrip = (d) => h('div', { class: 'photos', hidden: !(d.photos || []).length && !d.media_url }, (d.photos || []).map((p) =>
    h('figure', {}, h('img', { src: p.url, alt: `${PHOTO_KIND[p.kind]}照片`, loading: 'lazy' }), h('figcaption', {}, PHOTO_KIND[p.kind]))), ...GJ.mediaLink(d));

  function photoForm(card, d) {
    const kind = h('select', { name: 'kind', id: `kind-${d.id}` }, h('option', { value: 'before' }, '处置前'), h('option', { value: 'after' }, '处置后'));
    const file = h('input', { type: 'file', name: 'file', id: `file-${d.id}`, accept: 'image/jpeg,image/png,image/webp', capture: 'environment', multiple: true });
    // Each photo joins the card at once (and d.photos, which 处置完成 sends):
    // a reload would rebuild the card and lose a note being written.
    file.addEventListener('change', async () => {
      const err = card.querySelector('.task-error');
      GJ.showError(err, null);
      const files = [...file.files];
      file.value = ''; // a chosen file counts as typing (GJ.typingIn): the list would stop following
      file.blur();
      for (const f of files) {
        const fd = new FormData();
        fd.append('kind', kind.value);
        fd.append('file', f);
        try {
          const p = await api('POST', `/api/v1/complaints/${d.id}/photos`, fd);
          d.photos = [...(d.photos || []), p];
          card.querySelector('.photos').replaceWith(photoStrip(d));
        } catch (e) {
          GJ.showError(err, e);
          return;
        }
      }
      GJ.toast('照片已上传');
    });
    return h('div', { class: 'row2' },
      h('div', {}, h('label', { for: kind.id }, '照片类型'), kind),
      h('div', {}, h('label', { for: file.id }, '拍照 / 选择照片'), file));
  }

  function reasonForm(card, d, action, label, fieldLabel, button) {
    const input = h('textarea', { id: `${action}-${d.id}`, name: 'text', rows: 2, required: true, maxlength: 500 });
    const form = h('form', { 'data-action': action, novalidate: true },
      h('label', { for: input.id }, fieldLabel), input,
      h('div', { class: 'buttons' }, h('button', { type: 'submit', class: action === 'return' ? 'danger' : 'primary' }, button)));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text) {
        GJ.showError(card.querySelector('.task-error'), new Error(`请填写${fieldLabel}`));
        input.focus();
        return;
      }
      const photos = (d.photos || []).filter((p) => p.kind !== 'report').map((p) => p.id);
      act(card, action, action === 'return' ? { reason: text } : { note: text, photos }, e.submitter);
    });
    return action === 'return' ? h('details', {}, h('summary', {}, label), form) : form;
  }

  function card(d) {
    const cat = cats.get(d.category);
    const can = new Set(d.actions || []);
    const dl = GJ.nextDeadline(d);
    const state = dl ? GJ.countdownState(dl, new Date()).cls : '';
    const el = h('li', { class: `task ${state}`, 'data-id': d.id, 'data-status': d.status });
    const add = (...parts) => el.append(...parts.filter((p) => p != null));
    const buttons = [...navLinks(d)];
    if (can.has('accept')) buttons.push(h('button', { type: 'button', class: 'primary', 'data-do': 'accept', onclick: (e) => act(el, 'accept', {}, e.currentTarget) }, '签收'));
    if (can.has('arrive')) {
      buttons.push(h('button', {
        type: 'button', class: 'primary', 'data-do': 'arrive',
        onclick: async (e) => {
          const b = e.currentTarget;
          b.disabled = true;
          try {
            const p = await GJ.locate();
            await act(el, 'arrive', { lat: p.latitude, lng: p.longitude, coord_system: 'wgs84' }, b);
          } catch (err) {
            GJ.showError(el.querySelector('.task-error'), err);
            b.disabled = false;
          }
        },
      }, '我已到场（定位打卡）'));
    }
    // Point-to-point tasks are resolved on site; unit tasks once accepted.
    const canResolve = can.has('resolve') && (d.status === 'on_site' || (cat && !cat.point_to_point));
    const working = d.status === 'accepted' || d.status === 'on_site';
    add(
      h('h2', {}, h('span', {}, cat ? cat.name : d.category), GJ.badge(d.status)),
      GJ.countdown(d),
      h('p', { class: 'addr' }, d.address || `${d.lat.toFixed(5)}, ${d.lng.toFixed(5)}`),
      h('p', {}, d.description),
      h('p', { class: 'meta' }, `#${d.id} · ${GJ.SOURCE[d.source] || d.source} · 受理 ${GJ.time(d.created_at)}${d.assignee ? '' : ' · 单位待签收（任一队员可签收）'}`),
      photoStrip(d),
      h('div', { class: 'buttons' }, buttons),
      h('p', { class: 'error task-error', role: 'alert', hidden: true }),
      working ? photoForm(el, d) : null,
      canResolve ? reasonForm(el, d, 'resolve', '处置完成', '处置情况', '处置完成') : null,
      can.has('return') ? reasonForm(el, d, 'return', '退单', '退单理由', '确认退单') : null);
    return el;
  }

  let shown = ''; // the tasks the list shows, as drawn
  const load = GJ.latest(async () => {
    try {
      const out = await api('GET', '/api/v1/complaints?open=true&per_page=100');
      const tasks = (await Promise.all(out.complaints.map((c) => api('GET', `/api/v1/complaints/${c.id}`).catch(() => null))))
        .filter((d) => d && d.status !== 'resolved');
      const now = Date.now();
      const overdue = (d) => { const dl = GJ.nextDeadline(d, now); return dl && new Date(dl.at) < now ? 1 : 0; };
      tasks.sort((a, b) => overdue(b) - overdue(a) || b.id - a.id);
      if (GJ.typingIn(list)) return; // keep the card someone is typing in
      // An action reloads at once and its live event again: redraw only what
      // changed, so a card is not rebuilt under the finger (or a chosen photo type).
      const drawn = JSON.stringify(tasks.map((d) => [d, overdue(d)]));
      if (drawn !== shown) {
        shown = drawn;
        GJ.redrawKeeping(list, () => list.replaceChildren(...tasks.map(card)));
        if (!tasks.length) list.append(h('li', { class: 'empty' }, '暂无待办任务'));
      }
      const n = tasks.filter(overdue).length;
      summary.textContent = `待办 ${GJ.num(tasks.length)} 件${n ? `，其中超时 ${GJ.num(n)} 件` : ''}`;
      GJ.showError(errEl, null);
    } catch (err) {
      GJ.showError(errEl, err);
    }
  });
  const reloadSoon = GJ.debounce(load, 400);

  // Report where I am now and then, so dispatch can pick the nearest crew.
  let lastSent = 0;
  if (navigator.geolocation) {
    navigator.geolocation.watchPosition((p) => {
      if (Date.now() - lastSent < 2 * 60 * 1000) return;
      lastSent = Date.now();
      api('PUT', '/api/v1/me/position', { lat: p.coords.latitude, lng: p.coords.longitude, coord_system: 'wgs84' }).catch(() => {});
    }, () => {}, { enableHighAccuracy: false, maximumAge: 60000 });
  }

  (async () => {
    cats = await GJ.categories();
    GJ.live(reloadSoon, reloadSoon);
    await load();
    setInterval(load, 60 * 1000); // tasks taken away by a redispatch send no event to me
  })().catch((err) => GJ.showError(errEl, err));
})();
