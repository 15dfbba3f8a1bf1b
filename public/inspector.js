// The inspector's buttons and forms: each sends JSON to the control plane (/__mock/...) with fetch
// and reloads the page. Same origin, so a control token kept in the cookie goes along.
(function () {
  var status = document.getElementById('status');

  function show(text, bad) {
    if (!status) return;
    status.textContent = text;
    status.className = bad ? 'status bad' : 'status';
  }

  function send(method, url, body) {
    var init = { method: method, headers: { accept: 'application/json' }, credentials: 'same-origin' };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    show(method + ' ' + url + ' …', false);
    return fetch(url, init)
      .then(function (res) {
        return res.text().then(function (text) {
          if (res.ok) {
            window.location.reload();
            return;
          }
          var message = text;
          try {
            var parsed = JSON.parse(text);
            message = (parsed.error || '') + ': ' + (parsed.message || text);
          } catch {
            /* not JSON */
          }
          show(res.status + ' ' + message, true);
        });
      })
      .catch(function (err) {
        show(String(err), true);
      });
  }

  // "a.b" names build nested objects; data-type="number" fields are numbers, data-type="auto" ones
  // are numbers when they look like one (-401) and strings otherwise (KOE320); empty fields are left out.
  function formBody(form) {
    var out = {};
    var fields = form.querySelectorAll('input[name], select[name]');
    Array.prototype.forEach.call(fields, function (field) {
      var value;
      if (field.type === 'checkbox') {
        if (!field.checked) return;
        value = true;
      } else {
        value = field.value.trim();
        if (value === '') return;
        var type = field.getAttribute('data-type');
        if (type === 'number' || (type === 'auto' && /^-?\d+$/.test(value))) value = Number(value);
      }
      var path = field.name.split('.');
      var target = out;
      for (var i = 0; i < path.length - 1; i++) {
        target[path[i]] = target[path[i]] || {};
        target = target[path[i]];
      }
      target[path[path.length - 1]] = value;
    });
    // A fault's code belongs to error actions only.
    if (out.action && (out.action.kind === 'server-error' || out.action.kind === 'delay')) delete out.action.code;
    if (out.action && out.action.kind !== 'delay') delete out.action.ms;
    return out;
  }

  document.addEventListener('click', function (event) {
    var button = event.target.closest('button.act');
    if (!button) return;
    var question = button.getAttribute('data-confirm');
    if (question && !window.confirm(question)) return;
    var post = button.getAttribute('data-post');
    var del = button.getAttribute('data-delete');
    var raw = button.getAttribute('data-body');
    if (post) send('POST', post, raw ? JSON.parse(raw) : undefined);
    else if (del) send('DELETE', del);
  });

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains('api')) return;
    event.preventDefault();
    send('POST', form.getAttribute('data-post'), formBody(form));
  });
})();
