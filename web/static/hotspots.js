// 热点诉求 on the dashboard: the list of /api/v1/hotspots as the worker found
// them, and a heat layer of circles sized by count. A dispatcher opens a
// 主动巡查 order from a row.
'use strict';
(() => {
  const { h, api } = GJ;
  const list = document.getElementById('hotspot-list');
  const errEl = document.getElementById('hotspot-error');
  if (!list) return;
  const canPatrol = GJ.me.role === 'dispatcher' || GJ.me.role === 'admin';
  const WINDOW = { '1h': '1 小时', '24h': '24 小时', '7d': '7 天' };
  let map = null;
  let layer = null;
  let cats = new Map();
  const catLabel = (k) => { const c = cats.get(k); return c ? c.name : k; };
  const place = (s) => (s.kind === 'cluster' ? `跨网格聚集（${(s.grids || []).join('、') || '网格外'}）` : `网格 ${s.grid}`);

  function drawMap(spots) {
    if (!map) map = GJ.map('hotspot-map');
    if (layer) layer.remove();
    layer = L.layerGroup().addTo(map);
    const most = Math.max(1, ...spots.map((s) => s.count));
    spots.forEach((s) => {
      // Area grows with the count; at least the reports' own spread.
      const radius = Math.max(s.radius_m, 60 + 240 * Math.sqrt(s.count / most));
      L.circle([s.lat, s.lng], { radius, color: '#b42318', weight: 1, fillColor: '#f04438', fillOpacity: 0.15 + 0.45 * (s.count / most) })
        // An element, not a string: Leaflet would read a string as HTML.
        .bindTooltip(h('span', {}, `${catLabel(s.category)} · ${WINDOW[s.window] || s.window}内 ${s.count} 件`)).addTo(layer);
    });
    if (spots.length) map.fitBounds(L.featureGroup(layer.getLayers()).getBounds(), { maxZoom: 16, padding: [20, 20] });
  }

  function patrolButton(s) {
    if (!canPatrol) return null;
    if (s.patrol_complaint_id) return h('a', { href: `/console/orders/${s.patrol_complaint_id}` }, `巡查单 #${s.patrol_complaint_id}`);
    const b = h('button', { type: 'button' }, '发起主动巡查');
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        const c = await api('POST', `/api/v1/hotspots/${s.id}/patrol`, {});
        GJ.toast(`已发起主动巡查 #${c.id}`);
        await load();
      } catch (err) {
        GJ.showError(errEl, err);
        b.disabled = false;
      }
    });
    return b;
  }

  function render(spots) {
    list.replaceChildren(
      h('thead', {}, h('tr', {}, ['地点', '类别', '时段', '件数', '常态', '倍数', '工单', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, spots.length ? spots.map((s) => h('tr', { 'data-hotspot': String(s.id) },
        h('th', { scope: 'row' }, place(s)), h('td', {}, catLabel(s.category)), h('td', {}, WINDOW[s.window] || s.window),
        h('td', {}, GJ.num(s.count)), h('td', {}, String(s.baseline)), h('td', {}, `${s.rise}×`),
        h('td', {}, s.orders.slice(0, 8).map((id) => h('a', { href: `/console/orders/${id}`, class: 'order-link' }, `#${id} `)),
          s.orders.length > 8 ? `等 ${s.orders.length} 件` : null),
        h('td', {}, patrolButton(s))))
        : h('tr', {}, h('td', { colspan: 8 }, '当前没有热点诉求'))));
  }

  async function load() {
    try {
      const r = await api('GET', '/api/v1/hotspots');
      render(r.hotspots);
      drawMap(r.hotspots);
      errEl.hidden = true;
    } catch (err) {
      GJ.showError(errEl, err);
    }
  }

  (async () => {
    cats = await GJ.categories();
    await load();
  })().catch((err) => GJ.showError(errEl, err));
})();
