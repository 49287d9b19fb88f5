// 15分钟便民生活圈: the gap map (each grid coloured by how many kinds of
// place none of its sample points reaches within a 15-minute walk) and, for
// administrators and departments, the import of a CSV or GeoJSON file with
// its row report.
'use strict';
(() => {
  const { h, api } = GJ;
  const mapErr = document.getElementById('poi-map-error');
  const detail = document.getElementById('poi-detail');
  const legend = document.getElementById('poi-legend');
  const importsBody = document.querySelector('#poi-imports tbody');
  const COORD = { wgs84: 'WGS-84', gcj02: 'GCJ-02' };
  // Light to dark with the number of kinds missing; 0 is green. Bins: 0, 1–2, 3–4, 5–6, 7–9, 10–12, 13+.
  const SHADES = ['#12b76a', '#fef0c7', '#fedf89', '#fdb022', '#f79009', '#dc6803', '#912018'];
  const BINS = [0, 2, 4, 6, 9, 12, Infinity];
  const LABELS = ['0', '1–2', '3–4', '5–6', '7–9', '10–12', '13+'];
  const shade = (n) => SHADES[BINS.findIndex((b) => n <= b)];
  const names = (kinds) => kinds.map((k) => k.name).join('、');

  let map = null;
  let layer = null;

  function showGrid(g) {
    detail.replaceChildren(
      h('h3', {}, `${g.name}（${g.district}）`),
      h('p', {}, g.missing.length ? `15 分钟内缺少 ${g.missing.length} 类：${names(g.missing)}` : '各类设施在网格内至少部分可达'),
      g.partial.length ? h('p', { class: 'muted' }, '部分可达：', g.partial.map((p) => `${p.name} ${Math.round(p.share * 100)}%`).join('、')) : null,
      h('p', { class: 'muted' }, `按 ${g.samples} 个采样点计算`));
  }

  async function drawGaps() {
    try {
      const [grids, gaps] = await Promise.all([api('GET', '/api/v1/grids'), api('GET', '/api/v1/poi/gaps')]);
      const byGrid = new Map(gaps.grids.map((g) => [g.grid, g]));
      if (!map) map = GJ.map('poi-map', { grids: false });
      if (layer) layer.remove();
      layer = L.geoJSON(grids, {
        style: (f) => {
          const g = byGrid.get(f.properties.id);
          return { color: '#344054', weight: 1, fillColor: g ? shade(g.missing.length) : '#d0d5dd', fillOpacity: 0.55 };
        },
        onEachFeature: (f, l) => {
          const g = byGrid.get(f.properties.id);
          if (!g) return;
          // Elements, not strings: Leaflet would read a string as HTML.
          l.bindTooltip(h('span', {}, `${g.name}：缺 ${g.missing.length} 类`), { sticky: true });
          l.on('click', () => showGrid(g));
        },
      }).addTo(map);
      if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
      legend.replaceChildren('缺少类型数：', ...SHADES.map((c, i) => h('span', { class: 'poi-swatch' },
        h('span', { style: `display:inline-block;width:1em;height:1em;margin:0 .25em 0 .75em;vertical-align:middle;background:${c}` }),
        LABELS[i])));
      renderGapTable(gaps.grids);
      GJ.showError(mapErr, null);
    } catch (err) {
      GJ.showError(mapErr, err);
    }
  }

  // The same as a table, worst first: what a screen reader (and a planner's report) reads.
  function renderGapTable(grids) {
    let table = document.getElementById('poi-gaps');
    if (!table) {
      table = h('table', { class: 'table', id: 'poi-gaps' });
      detail.after(h('div', { class: 'tablewrap' }, table));
    }
    const rows = [...grids].sort((a, b) => b.missing.length - a.missing.length || a.grid.localeCompare(b.grid));
    table.replaceChildren(
      h('thead', {}, h('tr', {}, ['网格', '区', '缺少类型数', '15 分钟内缺少'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.map((g) => h('tr', { 'data-grid': g.grid },
        h('th', { scope: 'row' }, g.name), h('td', {}, g.district), h('td', {}, String(g.missing.length)),
        h('td', {}, g.missing.length ? names(g.missing) : '—')))));
  }

  async function loadImports() {
    if (!importsBody) return;
    try {
      const out = await api('GET', '/api/v1/poi/imports');
      importsBody.replaceChildren(...out.imports.map((i) => h('tr', {},
        h('td', {}, GJ.time(i.created_at)), h('td', {}, i.source), h('td', {}, i.filename),
        h('td', {}, COORD[i.coord_system] || i.coord_system), h('td', {}, GJ.num(i.places)), h('td', {}, GJ.num(i.replaced)))));
      if (!out.imports.length) importsBody.append(h('tr', {}, h('td', { colspan: 6, class: 'empty' }, '还没有导入过设施')));
    } catch (err) {
      importsBody.replaceChildren(h('tr', {}, h('td', { colspan: 6, class: 'error' }, err.message)));
    }
  }

  const form = document.getElementById('poi-import');
  if (form) {
    const errEl = document.getElementById('poi-import-error');
    const report = document.getElementById('poi-report');
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      GJ.showError(errEl, null);
      report.replaceChildren();
      if (!form.elements.file.files.length) { GJ.showError(errEl, new Error('请选择要导入的文件')); return; }
      if (!form.elements.coord_system.value) { GJ.showError(errEl, new Error('请选择文件使用的坐标系')); form.elements.coord_system.focus(); return; }
      const button = form.querySelector('button[type=submit]');
      button.disabled = true;
      try {
        const out = await api('POST', '/api/v1/poi/imports', new FormData(form));
        report.replaceChildren(h('p', { class: 'ok' }, `已导入 ${out.places} 处设施（来源“${out.source}”，替换原有 ${out.replaced} 处）`));
        GJ.toast('导入成功');
        form.reset();
        await Promise.all([drawGaps(), loadImports()]);
      } catch (err) {
        GJ.showError(errEl, err);
        // A refused file's answer carries the row report (err.body, the parsed answer).
        const rows = (err.body && err.body.errors) || [];
        if (rows.length) {
          report.replaceChildren(h('table', { class: 'table', id: 'poi-row-errors' },
            h('thead', {}, h('tr', {}, ['行', '列', '原因'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, rows.map((r) => h('tr', {}, h('td', {}, String(r.line)), h('td', {}, r.column || '—'), h('td', {}, r.reason))))));
        }
      } finally {
        button.disabled = false;
      }
    });
  }

  drawGaps();
  loadImports();
})();
