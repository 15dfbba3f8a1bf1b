// The consent screen's rules: "agree to all" toggles every box; a "카카오 개인정보 제3자 제공 동의" box
// toggles the items listed under it (they stay separate form fields, checked item by item on POST);
// the continue button stays disabled until every required box is checked. The server enforces the
// same rule on POST.
(function () {
  var form = document.getElementById('consent-form');
  if (!form) return;
  var all = document.getElementById('agree-all');
  var button = document.getElementById('continue');
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[type=checkbox]:not(#agree-all)'));
  var groups = boxes.filter(function (b) { return b.hasAttribute('data-box'); });
  function members(group) {
    return boxes.filter(function (b) { return b.getAttribute('data-in') === group.getAttribute('data-box'); });
  }
  function update() {
    groups.forEach(function (g) { g.checked = members(g).every(function (b) { return b.checked; }); });
    var ok = boxes.every(function (b) { return !b.hasAttribute('data-required') || b.checked; });
    button.disabled = !ok;
    all.checked = boxes.length > 0 && boxes.every(function (b) { return b.checked; });
  }
  all.addEventListener('change', function () {
    boxes.forEach(function (b) { b.checked = all.checked; });
    update();
  });
  groups.forEach(function (g) {
    g.addEventListener('change', function () {
      members(g).forEach(function (b) { b.checked = g.checked; });
      update();
    });
  });
  boxes.forEach(function (b) { if (!b.hasAttribute('data-box')) b.addEventListener('change', update); });
  update();
})();
