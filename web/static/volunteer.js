// 公益海口审核: the platform's admins certify volunteer teams and publish the
// activities teams submit, or refuse either with a reason the applicant reads.
// The rules (who may decide, that a refusal needs a reason, what is still
// waiting) are the server's: the page shows its answers as they come.
'use strict';
(() => {
  const { h, api } = GJ;
  const done = document.getElementById('review-done');
  const LIST_LIMIT = 200; // the API lists at most this many of a status

  const TEAM_STATUS = { pending: '待审核', certified: '已认证', refused: '未通过' };
  const ACTIVITY_STATUS = {
    draft: '草稿', submitted: '待审核', refused: '未通过', published: '已发布', in_progress: '进行中', finished: '已结束', cancelled: '已取消',
  };

  // queue is one list of what waits: its element, its count and how its items are fetched and drawn.
  function queue(kind, fetchItems, draw, empty) {
    return { kind, list: document.getElementById(`${kind}-queue`), count: document.getElementById(`${kind}-count`), fetchItems, draw, empty };
  }

  // The queue comes first come, first reviewed, each team with its applicant
  // and its organisation's 失信 lists: one request for the whole queue.
  const teams = queue('team', async () => {
    const out = await api('GET', '/api/v1/teams?status=pending');
    return { items: out.teams, full: out.teams.length >= LIST_LIMIT };
  }, (t) => {
    const black = t.black_lists || [];
    return reviewItem({
      id: t.id, title: t.name, path: `/api/v1/teams/${t.id}/review`,
      info: GJ.facts([
        ['所属单位', t.organisation],
        ['统一社会信用代码', t.credit_code || '未填写'],
        ['联系人', `${t.contact_name} ${t.contact_phone}`],
        ['服务区域', [t.district, t.address].filter(Boolean).join(' ')],
        ['申请人', t.applicant || '—'],
        ['申请时间', GJ.time(t.created_at)],
      ]),
      warnings: black.length ? [`该组织在失信名单上：${black.join('、')}。通过前请核实。`] : [],
      approved: `已通过团队“${t.name}”的认证`,
      refused: `已驳回团队“${t.name}”的认证申请`,
    });
  }, '没有待审核的团队');

  // Each activity with its team, when it was submitted and how often it was
  // refused before: one request for the whole queue.
  const activities = queue('activity', async () => {
    const out = await api('GET', '/api/v1/activities?status=submitted');
    return { items: out.activities, full: out.activities.length >= LIST_LIMIT };
  }, (a) => {
    const refusals = a.refusals || 0;
    const deadlinePassed = new Date(a.signup_deadline) <= new Date();
    return reviewItem({
      id: a.id, title: a.title, path: `/api/v1/activities/${a.id}/review`,
      info: GJ.facts([
        ['团队', a.team || `团队 #${a.team_id}`],
        ['活动简介', a.description || '（未填写）'],
        ['时间', `${GJ.time(a.start_at)} 至 ${GJ.time(a.end_at)}`],
        ['报名截止', GJ.time(a.signup_deadline)],
        ['地点', a.address],
        ['签到范围', `${GJ.num(a.radius_m)} 米`],
        ['名额', `${GJ.num(a.capacity)} 人`],
        ['参加要求', a.requirements],
        ['标签', (a.tags || []).join('、')],
        ['提交时间', GJ.time(a.submitted_at || a.updated_at)],
        ['此前驳回', refusals ? `${refusals} 次，上次理由：${a.review_note || '—'}` : null],
      ]),
      warnings: deadlinePassed ? ['报名截止时间已过，不能通过：请驳回，由团队修改时间后重新提交。'] : [],
      approved: `已通过活动“${a.title}”，已向市民发布`,
      refused: `已驳回活动“${a.title}”`,
    });
  }, '没有待审核的活动');

  // reviewItem draws one application with what the reviewer judges by and
  // the two decisions; the reason is sent as typed, and the server says
  // when a refusal needs one.
  function reviewItem(spec) {
    const error = h('p', { class: 'error', role: 'alert', hidden: true });
    const titleID = `review-${spec.path.split('/')[3]}-${spec.id}`;
    const reasonID = `${titleID}-reason`;
    const approve = h('button', { type: 'button', class: 'primary', 'data-do': 'approve' }, '通过');
    const refuse = h('button', { type: 'submit', class: 'danger', 'data-do': 'refuse' }, '驳回');
    const reason = h('textarea', { id: reasonID, name: 'reason', rows: 2, maxlength: 500, placeholder: '如：联系方式无法核实，请补充' });
    const form = h('form', { 'data-action': 'review', novalidate: true },
      h('label', { for: reasonID }, '审核意见（驳回时必填，申请方可见）'), reason, error,
      h('div', { class: 'actions' }, approve, refuse));
    const li = h('li', { class: 'review', 'data-id': spec.id, tabindex: -1, 'aria-labelledby': titleID },
      h('h3', { id: titleID }, spec.title),
      h('div', { class: 'facts' }, h('dl', { class: 'info' }, ...spec.info), ...spec.warnings.map((w) => h('p', { class: 'warn' }, w))),
      form);
    const decide = async (approved) => {
      GJ.fieldError(form, error, null);
      approve.disabled = refuse.disabled = true;
      try {
        await api('POST', spec.path, { approve: approved, reason: reason.value.trim() });
        say(approved ? spec.approved : `${spec.refused}：${reason.value.trim()}`);
        leave(li);
      } catch (err) {
        GJ.fieldError(form, error, err);
        // Decided elsewhere (409) or gone (404): another decision here would fail the same way.
        const settled = err.status === 409 || err.status === 404;
        approve.disabled = refuse.disabled = settled;
        if (settled) li.classList.add('stale');
        reason.focus();
      }
    };
    approve.addEventListener('click', () => decide(true));
    form.addEventListener('submit', (e) => { e.preventDefault(); decide(false); });
    return li;
  }

  function say(text) {
    done.textContent = text;
    done.hidden = false;
  }

  // leave takes a decided item off its list and hands the focus on.
  function leave(li) {
    const list = li.parentElement;
    const next = li.nextElementSibling || li.previousElementSibling;
    li.remove();
    const q = [teams, activities].find((x) => x.list === list);
    if (q) showCount(q);
    (next && next.classList.contains('review') ? next : done).focus();
    lookup();
  }

  function showCount(q) {
    const n = q.list.querySelectorAll('li.review').length;
    q.count.textContent = `（${q.full ? `${n}+` : n}）`;
    if (!n && !q.list.querySelector('li.empty')) q.list.append(h('li', { class: 'empty' }, q.empty));
  }

  async function loadQueue(q) {
    try {
      const { items, full } = await q.fetchItems();
      q.full = full;
      // A refresh keeps a reason someone was writing.
      GJ.redrawKeeping(q.list, () => q.list.replaceChildren(...items.map(q.draw)));
      if (full) q.list.append(h('li', { class: 'muted' }, `仅显示最早的 ${LIST_LIMIT} 条，处理后请刷新。`));
      showCount(q);
    } catch (err) {
      q.count.textContent = '';
      q.list.replaceChildren(h('li', { class: 'error' }, err.message));
    }
  }

  // 审核记录: teams and activities decided already, to find one again.
  const lookupForm = document.getElementById('lookup');
  const lookupBody = document.querySelector('#lookup-table tbody');
  async function lookupRows(what) {
    const [kind, status] = what.split('/');
    if (kind === 'teams') {
      const out = await api('GET', `/api/v1/teams?status=${status}`);
      return out.teams.map((t) => ({
        name: t.name, sub: t.organisation, badge: GJ.badge(t.status, TEAM_STATUS, 'v'), note: t.review_note,
        at: t.certified_at ? `认证于 ${GJ.time(t.certified_at)}` : `申请于 ${GJ.time(t.created_at)}`,
      }));
    }
    const out = await api('GET', `/api/v1/activities?status=${status}`);
    return out.activities.slice().sort((a, b) => new Date(b.updated_at) - new Date(a.updated_at)).map((a) => ({
      name: a.title, sub: a.team || `团队 #${a.team_id}`, badge: GJ.badge(a.status, ACTIVITY_STATUS, 'v'),
      note: a.review_note, at: `活动 ${GJ.time(a.start_at)}`,
    }));
  }
  const lookup = GJ.latest(async () => {
    const q = lookupForm.elements.q.value.trim();
    try {
      const found = (await lookupRows(lookupForm.elements.what.value)).filter((r) => !q || r.name.includes(q));
      lookupBody.replaceChildren(...found.map((r) => h('tr', {},
        h('td', {}, h('strong', {}, r.name), h('span', { class: 'desc' }, r.sub)),
        h('td', {}, r.badge), h('td', {}, r.note || '—'), h('td', {}, r.at))));
      if (!found.length) lookupBody.append(h('tr', {}, h('td', { colspan: 4, class: 'empty' }, '没有符合条件的记录')));
    } catch (err) {
      lookupBody.replaceChildren(h('tr', {}, h('td', { colspan: 4, class: 'error' }, err.message)));
    }
  });
  lookupForm.addEventListener('change', lookup);
  lookupForm.elements.q.addEventListener('input', GJ.debounce(lookup, 300));
  lookupForm.addEventListener('submit', (e) => { e.preventDefault(); lookup(); });

  const load = GJ.latest(() => Promise.all([loadQueue(teams), loadQueue(activities), lookup()]));

  document.getElementById('volunteer-refresh').addEventListener('click', () => {
    done.hidden = true;
    load();
  });
  load();
})();
