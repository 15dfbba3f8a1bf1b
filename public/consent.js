// The consent screen's two rules: "agree to all" toggles every box, and the continue button stays
// disabled until every required box is checked. The server enforces the same rule on POST.
(function () {
  var form = document.getElementById('consent-form');
  if (!form) return;
  var all = document.getElementById('agree-all');
  var button = document.getElementById('continue');
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[type=checkbox]:not(#agree-all)'));
  function update() {
    var ok = boxes.every(function (b) { return !b.hasAttribute('data-required') || b.checked; });
    button.disabled = !ok;
    all.checked = boxes.length > 0 && boxes.every(function (b) { return b.checked; });
  }
  all.addEventListener('change', function () {
    boxes.forEach(function (b) { b.checked = all.checked; });
    update();
  });
  boxes.forEach(function (b) { b.addEventListener('change', update); });
  update();
})();
