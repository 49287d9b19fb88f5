// 台风 · 气象 · 积水: one map with the typhoon tracks (observed line,
// forecast points and cone), the waterlogging points coloured by depth with
// their camera links, and the alerts in force; dispatchers and admins
// publish an alert by drawing its area on the map or naming grids.
'use strict';
(() => {
  const { h, api } = GJ;
  const errEl = document.getElementById('weather-error');
  const BAND = { normal: '#12b76a', warning: '#fdb022', severe: '#f79009', danger: '#d92d20', stale: '#98a2b3' };
  const BAND_TEXT = { normal: '正常', warning: '车辆慎行', severe: '小车勿行', danger: '禁止通行' };
  const LEVEL = { blue: '#1570ef', yellow: '#eaaa08', orange: '#f79009', red: '#d92d20' };
  const INTENSITY = { TD: '热带低压', TS: '热带风暴', STS: '强热带风暴', TY: '台风', STY: '强台风', SuperTY: '超强台风' };
  const canPublish = ['dispatcher', 'admin'].includes(document.body.dataset.role);

  const map = GJ.map('weather-map');
  const layers = { typhoon: L.layerGroup().addTo(map), water: L.layerGroup().addTo(map), alerts: L.layerGroup().addTo(map) };
  L.control.layers(null, { 台风路径: layers.typhoon, 积水点: layers.water, 预警范围: layers.alerts }, { collapsed: false }).addTo(map);

  // Elements, not strings: Leaflet would read a string as HTML.
  const tip = (...lines) => h('div', {}, ...lines.filter(Boolean).map((l) => h('div', {}, l)));
  const pointText = (p) => `${GJ.time(p.time)} ${INTENSITY[p.intensity] || p.intensity || ''}` +
    `${p.wind_ms ? ` ${p.wind_ms} 米/秒` : ''}${p.pressure_hpa ? ` ${p.pressure_hpa} 百帕` : ''}`;

  async function drawTyphoons() {
    const out = await api('GET', '/api/v1/typhoons');
    layers.typhoon.clearLayers();
    const summary = document.getElementById('typhoon-summary');
    summary.replaceChildren();
    if (!out.typhoons.length) summary.append(h('p', { class: 'muted' }, '暂无台风数据'));
    out.typhoons.forEach((t, i) => {
      const name = `${t.number} ${t.name_zh}${t.name_en ? `（${t.name_en}）` : ''}`;
      const last = t.observed[t.observed.length - 1];
      summary.append(h('p', { 'data-typhoon': t.number }, h('strong', {}, name), ` ${t.active ? '活跃' : '已停编'}，最新：${pointText(last)}`,
        t.forecast.length ? `，${t.forecast.length} 个预报点` : ''));
      if (i > 0) return; // the map shows the latest typhoon; the others are listed
      if (t.cone) L.geoJSON(t.cone, { style: { color: '#f79009', weight: 0, fillColor: '#fdb022', fillOpacity: 0.25 }, interactive: false }).addTo(layers.typhoon);
      L.polyline(t.observed.map((p) => [p.lat, p.lng]), { color: '#b42318', weight: 3 }).bindTooltip(h('span', {}, name)).addTo(layers.typhoon);
      if (t.forecast.length) {
        L.polyline([[last.lat, last.lng], ...t.forecast.map((p) => [p.lat, p.lng])], { color: '#b42318', weight: 2, dashArray: '6 6' }).addTo(layers.typhoon);
      }
      t.observed.forEach((p) => L.circleMarker([p.lat, p.lng], { radius: 4, color: '#b42318', fillOpacity: 1, className: 'typhoon-observed' })
        .bindTooltip(tip(`${name} 实况`, pointText(p))).addTo(layers.typhoon));
      t.forecast.forEach((p) => L.circleMarker([p.lat, p.lng], { radius: 4, color: '#b42318', fillColor: '#fff', fillOpacity: 1, className: 'typhoon-forecast' })
        .bindTooltip(tip(`${name} 预报`, pointText(p), `预报圈半径 ${p.radius_km} 公里`)).addTo(layers.typhoon));
    });
  }

  async function drawWaterlogging() {
    const out = await api('GET', '/api/v1/waterlogging');
    layers.water.clearLayers();
    const body = document.querySelector('#waterlogging-table tbody');
    body.replaceChildren(...out.points.map((p) => {
      // A reading over an hour old is not the water now: grey, and said so.
      const depth = p.depth_cm == null ? '无数据' : `${p.depth_cm} 厘米（${BAND_TEXT[p.band]}）${p.stale ? '，读数已超过 1 小时未更新' : ''}`;
      const link = p.video_url ? h('a', { href: p.video_url, target: '_blank', rel: 'noopener noreferrer' }, '查看视频') : '—';
      const band = p.stale ? 'stale' : p.band;
      L.circleMarker([p.lat, p.lng], { radius: 8, color: '#344054', weight: 1, fillColor: BAND[band], fillOpacity: 0.9, className: `wl-point wl-${band}` })
        .bindPopup(h('div', {}, h('strong', {}, p.name), h('div', {}, depth), h('div', {}, GJ.time(p.measured_at)),
          p.video_url ? h('a', { href: p.video_url, target: '_blank', rel: 'noopener noreferrer' }, '查看视频') : null))
        .addTo(layers.water);
      return h('tr', { 'data-point': p.code }, h('th', { scope: 'row' }, p.name), h('td', {}, p.address || '—'),
        h('td', {}, depth), h('td', {}, GJ.time(p.measured_at)), h('td', {}, link));
    }));
    if (!out.points.length) body.append(h('tr', {}, h('td', { colspan: 5, class: 'empty' }, '还没有积水点')));
    out.reports.forEach((r) => L.circleMarker([r.lat, r.lng], { radius: 6, color: '#0b5cad', weight: 2, fillOpacity: 0, className: 'wl-report' })
      .bindTooltip(tip(`道路积水反映 #${r.complaint_id}`, r.address, GJ.time(r.reported_at))).addTo(layers.water));
    document.getElementById('waterlogging-reports').textContent = `未办结的道路积水反映（1301）：${out.reports.length} 件，地图上以蓝圈表示。`;
  }

  async function drawAlerts() {
    const path = canPublish || document.body.dataset.role === 'department' ? '/api/v1/alerts/all' : '/api/v1/alerts';
    const out = await api('GET', path);
    layers.alerts.clearLayers();
    const body = document.querySelector('#alert-table tbody');
    body.replaceChildren(...out.alerts.map((a) => {
      if (a.current) {
        L.geoJSON(a.area, { style: { color: LEVEL[a.level], weight: 2, fillOpacity: 0.12 } })
          .bindTooltip(h('span', {}, `${a.kind_name}${a.level_name}预警：${a.title}`), { sticky: true }).addTo(layers.alerts);
      }
      const state = a.withdrawn_at ? '已撤回' : a.current ? '生效中' : new Date(a.valid_from) > new Date() ? '未开始' : '已过期';
      const withdraw = canPublish && !a.withdrawn_at && new Date(a.valid_until) > new Date()
        ? h('button', { type: 'button', class: 'link', 'data-withdraw': a.id }, '撤回') : '';
      return h('tr', { 'data-alert': a.id }, h('td', {}, state),
        h('td', {}, h('span', { class: `alert-level alert-${a.level}` }, `${a.kind_name}${a.level_name}`)),
        h('td', {}, a.title), h('td', {}, a.grids && a.grids.length ? `网格 ${a.grids.join('、')}` : '绘制范围'),
        h('td', {}, GJ.time(a.valid_from)), h('td', {}, GJ.time(a.valid_until)), h('td', {}, withdraw));
    }));
    if (!out.alerts.length) body.append(h('tr', {}, h('td', { colspan: 7, class: 'empty' }, '暂无预警')));
  }

  document.querySelector('#alert-table').addEventListener('click', async (e) => {
    const id = e.target.dataset && e.target.dataset.withdraw;
    if (!id) return;
    try {
      await api('POST', `/api/v1/alerts/${id}/withdraw`);
      GJ.toast('预警已撤回');
      await drawAlerts();
    } catch (err) {
      GJ.showError(errEl, err);
    }
  });

  async function refresh() {
    try {
      await Promise.all([drawTyphoons(), drawWaterlogging(), drawAlerts()]);
      GJ.showError(errEl, null);
    } catch (err) {
      GJ.showError(errEl, err);
    }
  }

  const form = document.getElementById('alert-form');
  if (form) {
    // Drawing: each click on the map adds a vertex ([lng, lat], WGS-84 as the map is).
    const vertices = [];
    const drawn = L.polygon([], { color: '#d92d20', dashArray: '4 4' }).addTo(map);
    const count = document.getElementById('alert-vertices');
    const redraw = () => { drawn.setLatLngs(vertices.map(([lng, lat]) => [lat, lng])); count.textContent = String(vertices.length); };
    map.on('click', (e) => { vertices.push([e.latlng.lng, e.latlng.lat]); redraw(); });
    document.getElementById('alert-clear').addEventListener('click', () => { vertices.length = 0; redraw(); });
    form.elements.valid_from.value = GJ.localInput(new Date());
    form.elements.valid_until.value = GJ.localInput(new Date(Date.now() + 6 * 3600 * 1000));
    const formErr = document.getElementById('alert-error');
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      GJ.showError(formErr, null);
      const f = form.elements;
      const grids = f.grids.value.split(/[,，\s]+/).map((s) => s.trim()).filter(Boolean);
      const body = { kind: f.kind.value, level: f.level.value, title: f.title.value, body: f.body.value,
        valid_from: GJ.fromLocalInput(f.valid_from.value), valid_until: GJ.fromLocalInput(f.valid_until.value) };
      if (grids.length) body.grids = grids;
      if (vertices.length) body.area = { type: 'Polygon', coordinates: [[...vertices, vertices[0]]] };
      if (!body.valid_from) delete body.valid_from;
      const button = form.querySelector('button[type=submit]');
      button.disabled = true;
      try {
        await api('POST', '/api/v1/alerts', body);
        GJ.toast('预警已发布，正在通知范围内的市民');
        form.elements.title.value = ''; form.elements.body.value = ''; form.elements.grids.value = '';
        vertices.length = 0; redraw();
        await drawAlerts();
      } catch (err) {
        GJ.showError(formErr, err);
      } finally {
        button.disabled = false;
      }
    });
  }

  refresh();
})();
