// The enterprise's self-check: the score adds up as items are scored. Without this
// script the form still works; only the running total is missing.
(function () {
  "use strict";
  var inputs = document.querySelectorAll("#checklist input[type=number]");
  var live = document.getElementById("live-score");
  if (!live) return;
  function total() {
    var sum = 0;
    inputs.forEach(function (input) {
      var value = parseInt(input.value, 10);
      if (!isNaN(value)) sum += value;
    });
    live.textContent = String(sum);
  }
  inputs.forEach(function (input) { input.addEventListener("input", total); });
  total();
})();
