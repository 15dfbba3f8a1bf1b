// The demo client's one nicety: a "Copy" button on each JSON block (tokens, ID token, /v2/user/me).
(function () {
  var blocks = document.querySelectorAll('pre[id]');
  Array.prototype.forEach.call(blocks, function (pre) {
    if (!navigator.clipboard) return;
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy';
    button.textContent = 'Copy';
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(pre.textContent || '').then(function () {
        button.textContent = 'Copied';
      });
    });
    pre.parentNode.insertBefore(button, pre);
  });
})();
