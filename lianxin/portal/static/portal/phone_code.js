// "获取短信验证码" without leaving the page (photos already chosen stay chosen). Without
// this script the button posts the whole form and the page comes back with the message.
(function () {
  var button = document.getElementById("send-code");
  if (!button) return;
  // No longer a submit button: Enter in a field must file the concern, not ask for a code.
  button.type = "button";
  var status = document.getElementById("code-status");
  var failed = document.currentScript.dataset.failed;
  button.addEventListener("click", function (event) {
    event.preventDefault();
    var form = button.form;
    var body = new FormData();
    body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    body.append("phone", form.elements.phone.value);
    button.disabled = true;
    fetch(button.dataset.url, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (answer) { status.textContent = answer.message; })
      .catch(function () { status.textContent = failed; })
      .finally(function () { setTimeout(function () { button.disabled = false; }, 3000); });
  });
})();
