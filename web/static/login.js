// Sign in through the API; it answers a token and sets the session cookie
// the pages and the live feed use.
'use strict';
(() => {
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
      location.href = next && next.startsWith('/') && !next.startsWith('//') ? next
        : (out.role === 'crew' ? '/crew' : '/console/queue');
    } catch (ex) {
      GJ.showError(err, ex.status === 401 ? new Error('账号或密码错误') : ex);
      form.elements.password.select();
    } finally {
      button.disabled = false;
    }
  });
})();
