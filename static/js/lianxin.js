// Small behaviours of every page, written here rather than in `on...=` attributes so that
// the content security policy can forbid inline scripts (lianxin/csp.py). The handlers
// listen on the document, so they also work in fragments htmx swaps in later.
(function () {
  "use strict";

  // <button data-print>: print the page (the monthly brief).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) window.print();
  });

  // The top bar's folded menus close when the person clicks anywhere else.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.nav-group[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    // A suggested category with its unit (data-unit): choose that unit too.
    if (target.matches("input[type=radio][data-unit]") && target.form && target.form.unit) {
      target.form.unit.value = target.dataset.unit;
    }
    // <select data-checks="selector">: choosing in it ticks the radio button it belongs to.
    if (target.matches("select[data-checks]") && target.form) {
      var radio = target.form.querySelector(target.dataset.checks);
      if (radio) radio.checked = true;
    }
  });
})();
