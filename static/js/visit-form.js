// The visit form on a cadre's phone: nothing typed is lost.
//
// - As the cadre types, the form is kept in localStorage (one draft per household), and a
//   reload brings it back, with the same client key.
// - A form that cannot be sent because the network dropped is queued in localStorage and
//   sent again when the phone is back online (the `online` event, on any visits page, and
//   every half minute as a fallback). The client key makes a second sending harmless: the
//   server records one visit.
// - A refusal from the server (a required answer missing) is shown and nothing is queued.
(function () {
  "use strict";

  var QUEUE_KEY = "lianxin.visits.queue";
  var DRAFT_PREFIX = "lianxin.visits.draft.";
  var RETRY_MS = 30000;
  var SIGNED_OUT = "登录已过期，走访记录已暂存在本机；请重新登录，登录后自动提交。";
  var sending = false;

  function load(key, fallback) {
    try {
      var value = JSON.parse(window.localStorage.getItem(key));
      return value === null ? fallback : value;
    } catch (e) {
      return fallback;
    }
  }

  function store(key, value) {
    try {
      if (value === null) {
        window.localStorage.removeItem(key);
      } else {
        window.localStorage.setItem(key, JSON.stringify(value));
      }
    } catch (e) {
      // Storage full or forbidden (private mode): the form still works, unsaved.
    }
  }

  function notice(text, kind) {
    var box = document.querySelector("[data-visit-notice]");
    if (!box) return;
    box.textContent = text;
    box.className = "visit-notice" + (kind ? " " + kind : "");
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  function showPending() {
    var box = document.querySelector("[data-visit-pending]");
    if (!box) return;
    var count = load(QUEUE_KEY, []).length;
    box.hidden = count === 0;
    box.textContent = "有 " + count + " 条走访记录已暂存在本机，联网后自动提交。";
  }

  // ---- the form's fields as a list of [name, value] pairs, and back ----

  function fieldsOf(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      pairs.push([name, String(value)]);
    });
    return pairs;
  }

  function opinionCount(pairs) {
    return pairs.filter(function (pair) { return pair[0] === "opinion_text"; }).length;
  }

  function fill(form, pairs) {
    setOpinionRows(form, Math.max(1, opinionCount(pairs)));
    var seen = {};
    pairs.forEach(function (pair) {
      var name = pair[0];
      var value = pair[1];
      if (name === "csrfmiddlewaretoken") return;
      var fields = form.querySelectorAll('[name="' + name + '"]');
      var index = seen[name] || 0;
      seen[name] = index + 1;
      if (fields.length && fields[0].type === "radio") {
        fields.forEach(function (field) { field.checked = field.value === value; });
      } else if (fields[index]) {
        fields[index].value = value;
      }
    });
  }

  // ---- opinion rows ----

  function setOpinionRows(form, count) {
    var box = form.querySelector("[data-opinions]");
    while (box.querySelectorAll("[data-opinion]").length < count) addOpinion(form, false);
    while (box.querySelectorAll("[data-opinion]").length > count) {
      var rows = box.querySelectorAll("[data-opinion]");
      rows[rows.length - 1].remove();
    }
  }

  function addOpinion(form, focus) {
    var template = form.querySelector("[data-opinion-template]");
    var row = template.content.firstElementChild.cloneNode(true);
    form.querySelector("[data-opinions]").appendChild(row);
    if (focus) row.querySelector("input").focus();
    return row;
  }

  // ---- sending ----

  function send(item) {
    var body = new FormData();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    return fetch(item.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", Accept: "application/json" },
    }).then(function (response) {
      return response
        .json()
        .catch(function () { return { ok: false, error: null }; })
        .then(function (data) {
          return {
            status: response.status,
            data: data,
            signedOut: response.redirected && response.url.indexOf("login") !== -1,
          };
        });
    });
  }

  function dequeue(key) {
    var left = load(QUEUE_KEY, []).filter(function (item) { return item.key !== key; });
    store(QUEUE_KEY, left.length ? left : null);
  }

  function enqueue(item) {
    dequeue(item.key);
    var queue = load(QUEUE_KEY, []);
    queue.push(item);
    store(QUEUE_KEY, queue);
  }

  // What happened to one sending: "sent", "refused" (the server said no, with a reason)
  // or "kept" (no answer we can trust: the network, a server error; try again later).
  function settle(item, outcome) {
    if (outcome.status === 200 && outcome.data.ok) {
      dequeue(item.key);
      store(DRAFT_PREFIX + item.household, null);
      return { state: "sent", data: outcome.data };
    }
    if (outcome.signedOut) {
      return { state: "signed-out", data: outcome.data };
    }
    if (outcome.status >= 400 && outcome.status < 500) {
      // Refused for a reason (a missing answer; not this cadre's household any more):
      // sending again would not help. The draft keeps what was typed.
      dequeue(item.key);
      var error = outcome.data.error || "提交未被接受（" + outcome.status + "），请检查后重试。";
      return { state: "refused", data: { error: error } };
    }
    return { state: "kept", data: outcome.data };
  }

  function flush() {
    if (sending || !navigator.onLine) return Promise.resolve();
    var queue = load(QUEUE_KEY, []);
    if (!queue.length) return Promise.resolve();
    sending = true;
    var form = document.querySelector("[data-visit-form]");
    var chain = Promise.resolve();
    queue.forEach(function (item) {
      chain = chain.then(function () {
        return send(item).then(
          function (outcome) {
            var result = settle(item, outcome);
            var here = form && form.dataset.household === String(item.household);
            if (result.state === "sent") {
              notice("已联网，暂存的走访记录已提交。", "sent");
              if (here) window.location.assign(result.data.redirect);
            } else if (result.state === "refused") {
              notice("暂存的走访记录未能提交：" + result.data.error, "");
              if (here) showError(form, result.data.error);
            } else if (result.state === "signed-out") {
              notice(SIGNED_OUT, "queued");
            }
          },
          function () { /* still offline: keep it */ }
        );
      });
    });
    return chain.then(function () {
      sending = false;
      showPending();
    });
  }

  function showError(form, text) {
    var box = form.querySelector("[data-form-error]");
    box.textContent = text;
    box.hidden = false;
    box.scrollIntoView({ block: "center" });
  }

  function setUpForm(form) {
    var household = form.dataset.household;
    var draftKey = DRAFT_PREFIX + household;
    var draft = load(draftKey, null);
    if (draft) fill(form, draft);
    var queued = load(QUEUE_KEY, []).some(function (item) {
      return String(item.household) === household;
    });
    if (queued) notice("这户的走访记录已暂存，联网后自动提交。", "queued");

    function keep() { store(draftKey, fieldsOf(form)); }
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);

    form.querySelector("[data-add-opinion]").addEventListener("click", function () {
      addOpinion(form, true);
      keep();
    });
    form.addEventListener("click", function (event) {
      var remove = event.target.closest("[data-remove-opinion]");
      if (!remove) return;
      remove.closest("[data-opinion]").remove();
      if (!form.querySelector("[data-opinion]")) addOpinion(form, false);
      keep();
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      keep();
      var button = form.querySelector("[type=submit]");
      button.disabled = true;
      var item = {
        key: form.querySelector("[name=client_key]").value,
        household: household,
        url: form.action || window.location.href,
        fields: fieldsOf(form),
      };
      send(item)
        .then(
          function (outcome) {
            var result = settle(item, outcome);
            if (result.state === "sent") {
              window.location.assign(result.data.redirect);
            } else if (result.state === "refused") {
              showError(form, result.data.error);
            } else if (result.state === "signed-out") {
              enqueue(item);
              notice(SIGNED_OUT, "queued");
            } else {
              enqueue(item);
              notice("服务器暂时无法提交，已暂存，稍后自动重试。", "queued");
            }
          },
          function () {
            enqueue(item);
            notice("网络已断开，走访记录已暂存，联网后自动提交。", "queued");
          }
        )
        .then(function () {
          button.disabled = false;
          showPending();
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-visit-form]");
    if (form) setUpForm(form);
    showPending();
    flush();
  });
  window.addEventListener("online", flush);
  window.setInterval(flush, RETRY_MS);
})();
