// New call: an agent turns a hotline call into a work order. Likely
// duplicates nearby are shown before saving; photos upload after the order exists.
'use strict';
(() => {
  const { h, api } = GJ;
  const form = document.getElementById('call-form');
  const result = document.getElementById('result');
  const formError = document.getElementById('form-error');
  const nearbyList = document.getElementById('nearby');
  const nearbyHint = document.getElementById('nearby-hint');
  const catHelp = document.getElementById('category-help');
  let cats = new Map();

  // The category input takes "0101 井盖破损/缺失", a bare code or an exact name.
  function categoryCode() {
    const v = form.elements.category.value.trim();
    if (!v) return '';
    const code = v.split(/\s+/)[0];
    if (cats.has(code)) return code;
    for (const c of cats.values()) if (c.name === v) return c.code;
    return '';
  }
  function describeCategory() {
    const c = cats.get(categoryCode());
    catHelp.textContent = !c ? '' : c.retired ? `「${c.name}」已停用，不再受理新的上报，请选择其他分类`
      : `${c.major} · ${c.department} · ${c.point_to_point ? '点对点派遣到处置人员' : '派遣到责任单位'}`;
  }

  const map = GJ.map('map');
  let pin = null;
  function place(lat, lng, pan) {
    if (!pin) {
      pin = L.marker([lat, lng], { draggable: true, keyboard: true, title: '问题位置' }).addTo(map);
      pin.on('dragend', () => { const p = pin.getLatLng(); setCoords(p.lat, p.lng); });
    } else pin.setLatLng([lat, lng]);
    if (pan) map.setView([lat, lng], Math.max(map.getZoom(), 15));
  }
  // forgetPlace takes the pin off the map and the nearby orders off the page:
  // the next call is about another place.
  const hintAtFirst = nearbyHint.textContent;
  function forgetPlace() {
    if (pin) { pin.remove(); pin = null; }
    nearbyHint.textContent = hintAtFirst;
    nearbyList.replaceChildren();
  }
  function setCoords(lat, lng) {
    form.elements.lat.value = lat.toFixed(6);
    form.elements.lng.value = lng.toFixed(6);
    findNearby();
  }
  map.on('click', (e) => { place(e.latlng.lat, e.latlng.lng); setCoords(e.latlng.lat, e.latlng.lng); });
  for (const name of ['lat', 'lng']) {
    form[name].addEventListener('change', () => {
      const lat = parseFloat(form.elements.lat.value), lng = parseFloat(form.elements.lng.value);
      if (Number.isFinite(lat) && Number.isFinite(lng)) { place(lat, lng, true); findNearby(); }
    });
  }
  form.elements.category.addEventListener('input', () => { describeCategory(); findNearby(); });

  // 智能分类: as the agent types the description, the three likeliest
  // categories are offered; the first fills an empty category field (or one
  // it filled itself), and the agent confirms or picks another.
  const suggestBox = document.getElementById('category-suggest');
  let prefilled = '';
  // Answers may arrive out of order: only the latest question's is shown.
  let suggestSeq = 0;
  function chooseCategory(value) {
    form.elements.category.value = value;
    describeCategory();
    findNearby();
  }
  const suggest = GJ.debounce(async () => {
    const text = form.elements.description.value.trim();
    const seq = ++suggestSeq;
    if (text.length < 2) { suggestBox.hidden = true; return; }
    try {
      const out = await api('POST', '/api/v1/categories/suggest', { description: text });
      if (seq !== suggestSeq) return; // a newer question was asked meanwhile
      const list = out.suggestions || [];
      if (!list.length) { suggestBox.hidden = true; return; }
      const current = form.elements.category.value.trim();
      if (!current || current === prefilled) {
        prefilled = `${list[0].code} ${list[0].name}`;
        chooseCategory(prefilled);
      }
      suggestBox.replaceChildren('智能分类建议：', ...list.map((s, i) => h('button', {
        type: 'button', class: 'link', title: `可能性 ${Math.round(s.score * 100)}%`,
        onclick: () => { prefilled = ''; chooseCategory(`${s.code} ${s.name}`); },
      }, `${i + 1}. ${s.code} ${s.name}（${Math.round(s.score * 100)}%）`)));
      suggestBox.hidden = false;
    } catch (err) {
      if (seq === suggestSeq) suggestBox.hidden = true;
    }
  }, 300);
  form.elements.description.addEventListener('input', suggest);

  const findNearby = GJ.debounce(async () => {
    const code = categoryCode();
    const lat = parseFloat(form.elements.lat.value), lng = parseFloat(form.elements.lng.value);
    if (!code || !Number.isFinite(lat) || !Number.isFinite(lng)) return;
    try {
      const out = await api('GET', `/api/v1/complaints/nearby?${new URLSearchParams({ category: code, lat, lng, coord_system: 'wgs84' })}`);
      nearbyHint.textContent = out.complaints.length
        ? `${GJ.meters(out.radius_m)}内、近 7 天未办结的同类工单 ${out.complaints.length} 条：`
        : `${GJ.meters(out.radius_m)}内近 7 天没有未办结的同类工单。`;
      nearbyList.replaceChildren(...out.complaints.map((c) => h('li', {},
        h('a', { href: `/console/orders/${c.id}`, target: '_blank' }, `#${c.id}`), ' ',
        GJ.badge(c.status), ' ', `相距 ${GJ.meters(c.distance_m)} · ${GJ.shortTime(c.created_at)} · `, c.address || c.description,
        c.will_merge ? h('div', {}, h('span', { class: 'badge merge' }, '保存后将自动并入此单')) : null)));
    } catch (err) {
      nearbyHint.textContent = `查询附近工单失败：${err.message}`;
    }
  }, 400);

  const clearErrors = () => GJ.fieldError(form, formError, null);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors();
    const code = categoryCode();
    const lat = parseFloat(form.elements.lat.value), lng = parseFloat(form.elements.lng.value);
    let bad = null;
    if (!form.elements.description.value.trim()) bad = { field: 'description', message: '请填写问题描述' };
    if (!Number.isFinite(lat) || !Number.isFinite(lng)) bad = { field: 'lat', message: '请在地图上点击问题位置，或输入经纬度' };
    if (!code) bad = { field: 'category', message: '请从列表中选择问题类别' };
    if (bad) { GJ.fieldError(form, formError, bad).focus(); return; }

    const save = document.getElementById('save');
    save.disabled = true;
    try {
      const c = await api('POST', '/api/v1/complaints', {
        category: code, description: form.elements.description.value.trim(), lat, lng, coord_system: 'wgs84',
        address: form.elements.address.value.trim(), caller_name: form.elements.caller_name.value.trim(),
        caller_phone: form.elements.caller_phone.value.trim(), source: 'hotline',
        sms_opt_out: form.elements.sms_opt_out.checked,
      });
      const failed = [];
      for (const file of form.elements.photos.files) {
        const fd = new FormData();
        fd.append('kind', 'report');
        fd.append('file', file);
        await api('POST', `/api/v1/complaints/${c.id}/photos`, fd).catch((err) => failed.push(`${file.name}：${err.message}`));
      }
      await showResult(c, failed);
    } catch (err) {
      // The map's point is one place: its message goes under the latitude.
      GJ.fieldError(form, formError, err.field === 'lng' ? { field: 'lat', message: err.message } : err);
    } finally {
      save.disabled = false;
    }
  });

  // After saving, the caller's phone is shown masked and the form is empty
  // for the next call: nothing of this one (its place least of all) may be
  // filed with the next by mistake.
  async function showResult(c, failed) {
    const units = await GJ.units().catch(() => new Map());
    const unit = units.get(c.unit);
    const where = c.status === 'duplicate'
      ? h('span', {}, '与已有工单重复，已并入 ', h('a', { href: `/console/orders/${c.duplicate_of}` }, `#${c.duplicate_of}`), '，不再重复派遣')
      : `状态：${GJ.STATUS[c.status]}${unit ? `，责任单位：${unit.name}` : ''}`;
    result.replaceChildren(h('div', {},
      h('strong', {}, '已生成工单 ', h('a', { href: `/console/orders/${c.id}`, id: 'new-order-link' }, `#${c.id}`)), h('br'),
      where, h('br'),
      c.caller_phone ? `来电号码：${c.caller_phone}${c.sms_opt_out ? '（不发短信）' : '，将短信告知工单号'}` : null,
      failed.length ? h('p', { class: 'error' }, `照片上传失败：${failed.join('；')}`) : null));
    result.hidden = false;
    form.elements.caller_phone.value = '';
    form.elements.caller_name.value = '';
    form.elements.sms_opt_out.checked = false;
    for (const name of ['description', 'photos', 'category', 'address', 'lat', 'lng']) form.elements[name].value = '';
    catHelp.textContent = '';
    forgetPlace();
    suggestBox.hidden = true;
    prefilled = '';
    suggestSeq++;
  }

  form.addEventListener('reset', () => {
    clearErrors(); result.hidden = true; catHelp.textContent = ''; suggestBox.hidden = true; prefilled = ''; suggestSeq++;
    forgetPlace();
  });

  GJ.categories().then((m) => {
    cats = m;
    // A retired category (停用) is not offered: the server refuses new reports of it.
    document.getElementById('category-list').append(...[...m.values()].filter((c) => !c.retired).map((c) =>
      h('option', { value: `${c.code} ${c.name}` }, `${c.major} · ${c.department}`)));
  });
})();
