// The inspection form: the score adds up as items are scored (边打分边记录), and each item
// is saved as soon as it is scored, so a dropped connection loses at most one. Without
// this script the form still works: "提交检查" sends every item at once.
(function () {
  "use strict";
  var form = document.getElementById("checklist");
  if (!form) return;
  var labels = JSON.parse(document.getElementById("inspection-labels").textContent);
  var live = document.getElementById("live-score");
  var state = document.getElementById("save-state");
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[type=number]"));
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var queue = Promise.resolve();

  function total() {
    var sum = 0;
    inputs.forEach(function (input) {
      var value = parseInt(input.value, 10);
      if (!isNaN(value)) sum += value;
    });
    live.textContent = String(sum);
  }

  function save(input) {
    var value = parseInt(input.value, 10);
    var max = parseInt(input.dataset.max, 10);
    if (isNaN(value) || value < 0 || value > max) {
      state.textContent = labels.invalid;
      input.setAttribute("aria-invalid", "true");
      return;
    }
    input.removeAttribute("aria-invalid");
    state.textContent = labels.saving;
    var body = new FormData();
    body.append("points", String(value));
    // One save at a time, in the order scored: the last score given is the one kept.
    queue = queue.then(function () {
      return fetch(input.dataset.url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token },
      })
        .then(function (response) { return response.json().then(function (data) { return [response.ok, data]; }); })
        .then(function (result) {
          if (!result[0]) throw new Error(result[1].message);
          state.textContent = labels.saved;
          form.dataset.saved = String(result[1].score);
        })
        .catch(function (error) { state.textContent = error.message || labels.failed; });
    });
  }

  inputs.forEach(function (input) {
    input.addEventListener("input", total);
    input.addEventListener("change", function () { save(input); });
  });
  form.querySelectorAll("button.full").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = button.parentNode.querySelector("input");
      input.value = button.dataset.full;
      total();
      save(input);
    });
  });
  total();

  var locate = document.getElementById("locate");
  if (locate && navigator.geolocation) {
    locate.addEventListener("click", function () {
      var note = document.getElementById("locate-state");
      note.textContent = labels.locating;
      navigator.geolocation.getCurrentPosition(function (position) {
        document.getElementById("id_latitude").value = position.coords.latitude.toFixed(6);
        document.getElementById("id_longitude").value = position.coords.longitude.toFixed(6);
        note.textContent = labels.located;
      }, function () { note.textContent = labels.no_location; });
    });
  } else if (locate) {
    locate.hidden = true;
  }
})();
