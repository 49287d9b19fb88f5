// Sign in through the API; it answers a token and sets the session cookie
// the pages and the live feed use.
'use strict';
(() => {
  // sameSitePath answers next when it is a path on this site, else ''.
  // Browsers drop tabs and newlines inside URLs and read a backslash as a
  // slash, so '/\t/evil.example' or '/\\evil.example' would leave the site:
  // a path starts with one slash and holds no backslash, control character
  // or space — nor does its path once more decoded (as the server checks).
  function sameSitePath(next) {
    if (typeof next !== 'string') return '';
    let decoded;
    try { decoded = decodeURIComponent(next.split(/[?#]/)[0]); } catch (_) { return ''; }
    for (const p of [next, decoded]) {
      if (!p.startsWith('/') || p.startsWith('//') || /[\\\s\u0000-\u001f\u007f-\u009f]/.test(p)) return '';
    }
    return new URL(next, location.origin).origin === location.origin ? next : '';
  }

  const form = document.getElementById('login-form');
  const err = document.getElementById('login-error');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    GJ.showError(err, null);
    try {
      const out = await GJ.api('POST', '/api/v1/auth/login', {
        username: form.elements.username.value.trim(), password: form.elements.password.value,
      });
      const next = document.body.dataset.next;
      if (out.role === 'citizen') {
        await GJ.api('POST', '/api/v1/auth/logout');
        throw new Error('市民账号请使用“城市管家”微信小程序');
      }
      let last = '';
      try { last = localStorage.getItem(`gj.start.${out.user_id}`) || ''; } catch (_) { /* storage off */ }
      // A page the role may no longer open sends them on to their start page.
      location.href = sameSitePath(next) || (out.role === 'crew' ? '/crew' : sameSitePath(last) || '/console');
    } catch (ex) {
      GJ.showError(err, ex.status === 401 ? new Error('账号或密码错误') : ex);
      form.elements.password.select();
    } finally {
      button.disabled = false;
    }
  });
})();
