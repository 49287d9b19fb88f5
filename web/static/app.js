// Shared helpers of the console and the crew page: the API client, Chinese
// labels, Asia/Shanghai times, number formats, deadline countdowns and the
// live feed. Every write goes through /api/v1 like any other client.
'use strict';

const GJ = (() => {
  const body = document.body.dataset;
  const me = { id: Number(body.userId || 0), role: body.role || '', unit: body.unit || '' };

  const STATUS = {
    submitted: '待派遣', dispatched: '已派遣', accepted: '已签收', on_site: '已到场', resolved: '待核查',
    closed: '已结案', returned: '已退单', rejected: '不予立案', duplicate: '已合并',
  };
  const ACTION = {
    create: '立案', dispatch: '派遣', accept: '签收', arrive: '到场打卡', resolve: '处置完成', return: '退单',
    close: '核查结案', reject: '不予立案', merge: '合并', reopen: '返工', rate: '评价', metoo: '重复上报',
    remind: '催办', escalate: '督办', extend: '延期', followup: '回访',
  };
  const SOURCE = { hotline: '12345热线', miniprogram: '微信小程序', patrol: '巡查上报', open311: 'Open311 接口' };
  const ROLE = {
    citizen: '市民', agent: '话务员', dispatcher: '指挥中心', crew: '处置人员', unit_admin: '单位负责人', admin: '管理员',
    department: '部门工作人员', grid_manager: '网格员', mediator: '调解员',
  };
  const CLOSED = new Set(['closed', 'rejected', 'duplicate']);
  // The delivery log's words: channels, messages and how they ended.
  const CHANNEL = { wecom: '企业微信', subscribe: '小程序订阅消息', sms: '短信', inbox: '站内消息', log: '日志' };
  const MESSAGE = {
    task_assigned: '新任务', task_withdrawn: '任务撤回', sla_warning: '催办', escalation: '督办', manual_queue: '待派遣', hotspot: '热点诉求', complaint_update: '进度通知',
    caller_accepted: '受理短信', caller_closed: '办结短信', signup_confirmed: '报名成功', activity_reminder: '活动提醒',
    hours_credited: '时长入账', activity_changed: '活动变更', volunteer_invitation: '活动邀请',
    weather_alert: '气象预警', approval_update: '审批进度', dispute_update: '调解进度', dispute_session: '调解会提醒', party_session: '调解会短信', party_session_off: '调解会取消短信',
    credit_expired: '信用信息到期', credit_repair_applied: '信用修复申请', credit_repair_decided: '信用修复结果',
    credit_import_done: '信用导入完成', credit_agent_filed: '授权委托待审', credit_agent_decided: '授权委托结果',
  };
  const DELIVERY = { pending: '待发送', retrying: '重试中', sent: '已送达', failed: '发送失败', no_consent: '未授权 / 退订', no_channel: '未绑定渠道' };

  // Times: always Asia/Shanghai, whatever the browser's zone.
  const TZ = 'Asia/Shanghai';
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  });
  function fields(d) {
    const o = {};
    for (const p of parts.formatToParts(d)) o[p.type] = p.value;
    return o;
  }
  function time(iso) {
    if (!iso) return '—';
    const f = fields(new Date(iso));
    return `${f.year}-${f.month}-${f.day} ${f.hour}:${f.minute}`;
  }
  function shortTime(iso) {
    if (!iso) return '—';
    const f = fields(new Date(iso));
    return `${f.month}-${f.day} ${f.hour}:${f.minute}`;
  }
  // dateKey is the Shanghai calendar date of d, as YYYY-MM-DD.
  function dateKey(d) {
    const f = fields(d);
    return `${f.year}-${f.month}-${f.day}`;
  }
  // localInput renders d for a datetime-local input, in Shanghai time.
  function localInput(d) {
    const f = fields(d);
    return `${f.year}-${f.month}-${f.day}T${f.hour}:${f.minute}`;
  }
  // fromLocalInput reads a datetime-local value as Shanghai time.
  function fromLocalInput(v) { return v ? `${v}:00+08:00` : null; }

  const nf = new Intl.NumberFormat('zh-CN');
  const num = (n) => nf.format(n || 0);
  const pct = (r) => `${(100 * (r || 0)).toFixed(1)}%`;
  function meters(m) { return m >= 1000 ? `${(m / 1000).toFixed(1)} 公里` : `${Math.round(m)} 米`; }

  // nextDeadline is the deadline a complaint is racing now: 签收 while a
  // crew member's is ahead (a missed one has already moved the task on);
  // else the citizen's 到场 (point-to-point), which runs from dispatch until
  // someone is on site, whoever holds the order meanwhile (a unit's queue,
  // the desk after 退单); else 办结.
  function nextDeadline(c, now = new Date()) {
    if (CLOSED.has(c.status) || c.status === 'resolved') return null;
    if (c.status === 'dispatched' && c.accept_by && new Date(c.accept_by) > now) return { at: c.accept_by, from: c.dispatched_at, what: '签收' };
    if (c.arrive_by && !c.arrived_at) return { at: c.arrive_by, from: c.dispatched_at, what: '到场' };
    if (c.resolve_by) return { at: c.resolve_by, from: c.dispatched_at || c.created_at, what: '办结' };
    return null;
  }
  function duration(ms) {
    const s = Math.floor(Math.abs(ms) / 1000);
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    if (d > 0) return `${d}天${h}小时`;
    if (h > 0) return `${h}小时${String(m).padStart(2, '0')}分`;
    return `${m}分${String(sec).padStart(2, '0')}秒`;
  }
  // The warning starts when a fifth of the window is left, as the SLA's 催办 timer does.
  function countdownState(dl, now) {
    const left = new Date(dl.at) - now;
    if (left < 0) return { cls: 'overdue', text: `${dl.what}超时 ${duration(left)}` };
    const window = dl.from ? new Date(dl.at) - new Date(dl.from) : 0;
    const warnAt = window > 0 ? window / 5 : 10 * 60 * 1000;
    return { cls: left <= warnAt ? 'warn' : 'ok', text: `${dl.what}剩 ${duration(left)}` };
  }
  // countdown makes an element that the ticker keeps current.
  function countdown(c) {
    const dl = nextDeadline(c);
    const el = h('span', { class: 'countdown none' }, '—');
    if (!dl) return el;
    el.dataset.at = dl.at;
    el.dataset.from = dl.from || '';
    el.dataset.what = dl.what;
    el.title = `${dl.what}时限 ${time(dl.at)}`;
    paint(el, new Date());
    return el;
  }
  function paint(el, now) {
    const st = countdownState({ at: el.dataset.at, from: el.dataset.from, what: el.dataset.what }, now);
    el.className = `countdown ${st.cls}`;
    el.textContent = st.text;
  }
  setInterval(() => {
    const now = new Date();
    document.querySelectorAll('.countdown[data-at]').forEach((el) => paint(el, now));
  }, 1000);

  // h builds an element; strings become text, never HTML.
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c == null || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  // badge is a status as a coloured label. Each subsystem has its own words
  // and colours (class <prefix>-<status>: s- orders, v- volunteering,
  // c- credit); an order's are the default.
  function badge(status, labels = STATUS, prefix = 's') {
    return h('span', { class: `badge ${prefix}-${status}` }, labels[status] || status);
  }

  // facts makes the <dt>/<dd> of a record's details from [label, value]
  // pairs, leaving out what is empty: every details card is drawn this way.
  const facts = (pairs) => pairs.filter(([, v]) => v != null && v !== '')
    .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]);

  // mediaLink is the picture an Open311 client's reporter linked to, as a
  // link out (never fetched by the page): [] when there is none.
  const mediaLink = (c) => (c.media_url ? [h('figure', { class: 'media-link' },
    h('a', { href: c.media_url, target: '_blank', rel: 'noopener noreferrer' }, '查看上报图片（外部链接）'),
    h('figcaption', {}, '上报'))] : []);

  // timeline lists a complaint's events, newest first: when, what, the
  // status it moved, who, and the note. target(e), if given, names where a
  // dispatch sent it.
  function timeline(events, target) {
    return (events || []).slice().reverse().map((e) => {
      const change = e.from && e.to && e.from !== e.to ? ` ${STATUS[e.from] || e.from} → ${STATUS[e.to] || e.to}` : '';
      const who = e.actor_role ? (ROLE[e.actor_role] || e.actor_role) : '系统';
      const to = target && e.action === 'dispatch' ? target(e) : '';
      return h('li', { 'data-event': e.action },
        h('time', { datetime: e.at }, time(e.at)), h('strong', {}, ACTION[e.action] || e.action), change, to,
        h('span', { class: 'muted' }, ` · ${who}`), e.note ? h('span', { class: 'note' }, e.note) : null);
    });
  }

  // retryKeys holds the Idempotency-Key of each JSON POST that got no final
  // answer (no answer at all, 5xx, 409, 429), by what it sent: sending the
  // same again is its retry, which the server answers once; a final answer
  // (2xx, or a refusal to act on) lets the key go, so a new attempt is new.
  const retryKeys = new Map();
  // newKey: crypto.randomUUID exists on HTTPS and localhost only; an
  // intranet console may be plain HTTP.
  const newKey = () => (crypto.randomUUID ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(''));
  const finalAnswer = (status) => status < 500 && status !== 409 && status !== 429;

  // api calls the JSON API. POSTs carry an Idempotency-Key so a retried
  // click never acts twice. Errors are thrown with the server's message as
  // it is: the server says it in the page's language (Accept-Language).
  const LANG = document.documentElement.lang || 'zh-CN';
  async function api(method, path, data) {
    // X-Requested-With: the server takes a cookie-signed change only from its
    // own pages (another site cannot add a header); uploads send no JSON.
    const opts = {
      method, credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Accept-Language': LANG, 'X-Requested-With': 'fetch' },
    };
    if (data instanceof FormData) opts.body = data;
    else if (data !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(data);
    }
    const sent = method === 'POST' && !(data instanceof FormData) ? `${path}\n${opts.body}` : null; // an upload is new each time
    if (method === 'POST') {
      if (sent && !retryKeys.has(sent)) retryKeys.set(sent, newKey());
      opts.headers['Idempotency-Key'] = sent ? retryKeys.get(sent) : newKey();
    }
    const res = await fetch(path, opts);
    if (sent && finalAnswer(res.status)) retryKeys.delete(sent);
    if (res.status === 401 && !path.endsWith('/auth/login')) {
      location.href = `/console/login?next=${encodeURIComponent(location.pathname + location.search)}`;
      throw new Error('登录已过期，请重新登录');
    }
    if (res.status === 204) return null;
    const out = await res.json().catch(() => ({}));
    if (!res.ok) {
      // No JSON body (a proxy's error page): say the status.
      const e = new Error((out.error && out.error.message) || `请求失败（HTTP ${res.status}）`);
      e.field = out.error && out.error.field;
      e.status = res.status;
      e.body = out; // a refused import's row report rides along
      throw e;
    }
    return out;
  }

  // Reference data, fetched once per page.
  const cache = {};
  function once(key, fn) { return (cache[key] = cache[key] || fn()); }
  const categories = () => once('categories', async () => {
    const out = await api('GET', '/api/v1/categories');
    return new Map(out.categories.map((c) => [c.code, c]));
  });
  const units = () => once('units', async () => {
    const out = await api('GET', '/api/v1/units');
    return new Map(out.units.map((u) => [u.code, u]));
  });
  const crews = () => once('crews', async () => {
    const out = await api('GET', '/api/v1/crews');
    return new Map(out.crews.map((c) => [c.id, c]));
  });

  function toast(msg) {
    const el = document.getElementById('toast');
    if (!el) return;
    el.textContent = msg;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { el.hidden = true; }, 4000);
  }
  function showError(el, err) {
    if (!el) return;
    el.textContent = err ? (err.message || String(err)) : '';
    el.hidden = !err;
  }

  // fieldError puts a refusal ({message, field}, as api throws it) where
  // every form says one: at the field it names ([data-field~=name], else
  // [name=name]), marked aria-invalid, in its #<id>-err, else in the form's
  // box. It answers the field, to focus. Without err it clears the form.
  function fieldError(form, box, err) {
    if (!err) {
      form.querySelectorAll('[aria-invalid]').forEach((x) => x.removeAttribute('aria-invalid'));
      form.querySelectorAll('.field-error').forEach((x) => showError(x, null));
      showError(box, null);
      return null;
    }
    const name = err.field ? CSS.escape(err.field) : null;
    const input = name && (form.querySelector(`[data-field~="${name}"]`) || form.querySelector(`[name="${name}"]`));
    if (input) input.setAttribute('aria-invalid', 'true');
    showError((input && input.id && document.getElementById(`${input.id}-err`)) || box, err);
    return input || null;
  }

  // pager drives a paged list's 上一页 / 下一页 and 第 N / M 页, the same on
  // every list: elements <prefix>-prev, -next and -pageinfo (prev, next and
  // pageinfo without a prefix), and a <prefix>-pager nav, where there is one,
  // hidden while there is one page only. load shows the page in .page.
  function pager(prefix, load) {
    const el = (part) => document.getElementById(prefix ? `${prefix}-${part}` : part);
    const nav = el('pager'), prev = el('prev'), next = el('next'), info = el('pageinfo');
    const draw = (text, more) => {
      info.textContent = text;
      prev.disabled = p.page <= 1;
      next.disabled = !more;
      if (nav) nav.hidden = prev.disabled && next.disabled;
    };
    const p = {
      page: 1,
      // showTotal is for a list that says its total. It is false when the
      // page is past the end (the list shrank meanwhile): .page is then the
      // last one, to load again.
      showTotal(total, perPage) {
        const pages = Math.max(1, Math.ceil(total / perPage));
        if (p.page > pages) { p.page = pages; return false; }
        draw(`第 ${num(p.page)} / ${num(pages)} 页`, p.page < pages);
        return true;
      },
      // showMore is for a list that only knows whether another page follows.
      showMore(more) { draw(`第 ${num(p.page)} 页`, more); },
    };
    prev.addEventListener('click', () => { p.page -= 1; load(); });
    next.addEventListener('click', () => { p.page += 1; load(); });
    return p;
  }

  // events is the page's one connection to /api/v1/live, shared by the live
  // views and the inbox badge (inbox.js): an EventTarget that passes on the
  // events of the stream it holds. The browser reopens a dropped stream by
  // itself, but gives up for good on an answer that is not a stream (a
  // session ended: 401; a proxy's 502 during a deploy), and the page would
  // silently stop following. Then a signed-out page goes to the login (api
  // does that) and any other opens the stream again, less and less often.
  const FEED_EVENTS = ['open', 'error', 'complaint', 'dispute', 'inbox', 'resync'];
  let feed = null;
  function events() {
    if (feed) return feed;
    feed = new EventTarget();
    let source = null;
    let wait = 2000;
    const connect = () => {
      source = new EventSource('/api/v1/live');
      for (const type of FEED_EVENTS) {
        source.addEventListener(type, (e) => {
          if (type === 'open') wait = 2000;
          feed.dispatchEvent(new MessageEvent(type, { data: e.data }));
          if (type === 'error' && source.readyState === EventSource.CLOSED) setTimeout(reopen, wait);
        });
      }
    };
    const reopen = async () => {
      try {
        await api('GET', '/api/v1/me');
      } catch (err) {
        if (err.status === 401) return; // on its way to the login page
      }
      wait = Math.min(wait * 2, 60000);
      connect();
    };
    Object.defineProperty(feed, 'readyState', { get: () => source.readyState });
    connect();
    return feed;
  }

  // live follows /api/v1/live. onChange gets each changed complaint (or,
  // with kinds ['dispute'], each changed dispute's id and status); onResync
  // is called when events may have been missed (reconnect, overflow).
  function live(onChange, onResync, kinds = ['complaint']) {
    const state = document.getElementById('live-state');
    const set = (on, text) => { if (state) { state.className = `live ${on ? 'on' : 'off'}`; state.textContent = text; } };
    let lost = false; // the stream was down: events may have been missed
    const es = events();
    if (es.readyState === EventSource.OPEN) set(true, '实时更新中'); // the inbox badge opened it already
    es.addEventListener('open', () => {
      set(true, '实时更新中');
      if (lost) onResync();
      lost = false;
    });
    es.addEventListener('error', () => {
      set(false, '连接中断，正在重连…');
      lost = true;
    });
    for (const kind of kinds) es.addEventListener(kind, (e) => onChange(JSON.parse(e.data)));
    es.addEventListener('resync', onResync);
    return es;
  }

  // map draws a Leaflet map of Haikou with the grid polygons (unless
  // grids is false: the page draws its own). Tiles come from the configured
  // URL only (GUANJIA_MAP_TILE_URL); without one the grids alone show where
  // things are.
  function map(id, { grids = true } = {}) {
    const m = L.map(id, { center: [20.02, 110.33], zoom: 12, zoomControl: true });
    if (body.tiles) L.tileLayer(body.tiles, { maxZoom: 19 }).addTo(m);
    if (grids) api('GET', '/api/v1/grids').then((geo) => {
      L.geoJSON(geo, {
        style: { color: '#0b5cad', weight: 1, fillOpacity: 0.04 },
        // An element, not a string: Leaflet would read a string as HTML.
        onEachFeature: (f, layer) => layer.bindTooltip(h('span', {}, f.properties.name || f.properties.id || ''), { sticky: true }),
      }).addTo(m).bringToBack();
    }).catch(() => {});
    return m;
  }

  // locate answers the device's position (WGS-84, as browsers give it), or
  // an error saying in Chinese what the user can do.
  function locate() {
    return new Promise((resolve, reject) => {
      if (!navigator.geolocation) { reject(new Error('此浏览器不支持定位')); return; }
      navigator.geolocation.getCurrentPosition((p) => resolve(p.coords), (e) => reject(new Error(
        e.code === 1 ? '未获得定位权限，请在浏览器设置中允许定位' : '暂时无法获取定位，请到开阔处重试')),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
    });
  }

  // debounce runs fn once calls have paused for ms.
  function debounce(fn, ms) {
    let t;
    return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
  }

  // typingIn says whether someone is filling in a field inside el: a reload
  // of el now would wipe what they wrote (their own submit reloads it).
  const typingIn = (el) => el.contains(document.activeElement) && Boolean(document.activeElement.value);

  // redrawKeeping runs redraw, which rebuilds el's forms, and puts back what
  // was entered in them and which folded ones were open: a live update must
  // not wipe a note someone was writing and then clicked away from. A field
  // is known by its card (data-id), its form (data-action) and its name.
  const FIELDS = 'textarea, select, input:not([type=file], [type=hidden], [type=checkbox], [type=radio])';
  function redrawKeeping(el, redraw) {
    const place = (f) => `${f.closest('[data-id]')?.dataset.id}/${f.closest('[data-action]')?.dataset.action}/${f.name}`;
    // Only what someone changed: a default belongs to the form as drawn (the
    // one open session to record, a deadline), which may differ next time.
    const changed = (f) => (f.tagName === 'SELECT'
      ? f.selectedIndex !== Math.max([...f.options].findIndex((o) => o.defaultSelected), 0)
      : f.value !== f.defaultValue);
    const entered = new Map([...el.querySelectorAll(FIELDS)].filter(changed).map((f) => [place(f), f.value]));
    const open = new Set([...el.querySelectorAll('details[open]')].map(place));
    redraw();
    for (const f of el.querySelectorAll(FIELDS)) {
      const v = entered.get(place(f));
      if (v === undefined || v === f.value) continue;
      if (f.tagName === 'SELECT' && ![...f.options].some((o) => o.value === v)) continue; // no longer a choice
      f.value = v;
      if (f.tagName === 'SELECT') f.dispatchEvent(new Event('change')); // a choice that fills the next field in (unit → crews)
    }
    for (const d of el.querySelectorAll('details')) d.open = d.open || open.has(place(d));
  }

  // latest wraps a loader so that calls never overlap and none is lost: a
  // call made while one runs makes it run once more afterwards, so the page
  // always ends on data fetched after the last call.
  function latest(fn) {
    let running = null;
    let again = false;
    return () => {
      if (running) { again = true; return running; }
      running = (async () => {
        try {
          do { again = false; await fn(); } while (again);
        } finally {
          running = null;
        }
      })();
      return running;
    };
  }

  // The menu page someone works on is where their next sign-in on this
  // browser starts (a credit clerk's is 诚信海口, not the first of the menu).
  const current = document.querySelector('nav a[aria-current="page"]');
  if (me.id && current) {
    try { localStorage.setItem(`gj.start.${me.id}`, current.getAttribute('href')); } catch (_) { /* storage off: the role's start page */ }
  }

  document.querySelectorAll('[data-logout]').forEach((b) => b.addEventListener('click', async () => {
    await api('POST', '/api/v1/auth/logout').catch(() => {});
    location.href = '/console/login';
  }));

  return {
    me, STATUS, ACTION, SOURCE, ROLE, CLOSED, CHANNEL, MESSAGE, DELIVERY, time, shortTime, dateKey, localInput, fromLocalInput, num, pct, meters,
    nextDeadline, countdownState, countdown, h, badge, facts, mediaLink, timeline, api, categories, units, crews, toast, showError, fieldError, pager, live, events, map, locate, debounce, typingIn, redrawKeeping, latest,
  };
})();
