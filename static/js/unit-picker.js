// The case page's unit pickers: a filter box over a grouped list, and ticked units
// shown as tags that untick on click. Delegated from the document, so that the parts
// of the page htmx swaps in work without being set up again.
(function () {
  "use strict";

  function matches(text, code, query) {
    return !query || text.toLowerCase().includes(query) || (code || "").toLowerCase().startsWith(query);
  }

  function filter(input) {
    const target = document.getElementById(input.dataset.pickerFor);
    if (!target) return;
    const query = input.value.trim().toLowerCase();
    // A list box has options in optgroups; a tag picker has ticked boxes in labelled groups.
    const list = target.tagName === "SELECT";
    for (const group of target.querySelectorAll(list ? "optgroup" : ".tag-group")) {
      let shown = 0;
      for (const item of group.querySelectorAll(list ? "option" : "label")) {
        item.hidden = !matches(item.textContent, item.dataset.code, query);
        if (!item.hidden) shown += 1;
      }
      group.hidden = shown === 0;
    }
  }

  function showTags(fieldset) {
    const holder = fieldset.querySelector(".chosen-tags");
    if (!holder) return;
    holder.replaceChildren();
    const seen = new Set();
    for (const box of fieldset.querySelectorAll("input[type=checkbox]:checked")) {
      if (seen.has(box.value)) continue;
      seen.add(box.value);
      const tag = document.createElement("button");
      tag.type = "button";
      tag.className = "tag";
      tag.dataset.value = box.value;
      tag.textContent = box.parentElement.textContent.trim() + " ×";
      tag.title = fieldset.dataset.untick || "";
      holder.appendChild(tag);
    }
  }

  function setUp(root) {
    for (const fieldset of root.querySelectorAll(".unit-tags")) showTags(fieldset);
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches(".picker-filter")) filter(event.target);
  });
  document.addEventListener("keydown", function (event) {
    // Enter in the filter box must not submit the form half filled.
    if (event.target.matches(".picker-filter") && event.key === "Enter") event.preventDefault();
  });
  document.addEventListener("change", function (event) {
    const fieldset = event.target.closest(".unit-tags");
    if (!fieldset) return;
    // A unit listed twice (under 推荐 and its kind) is one choice.
    for (const twin of fieldset.querySelectorAll(`input[value="${event.target.value}"]`)) {
      twin.checked = event.target.checked;
    }
    showTags(fieldset);
  });
  document.addEventListener("click", function (event) {
    const tag = event.target.closest(".chosen-tags .tag");
    if (!tag) return;
    const fieldset = tag.closest(".unit-tags");
    for (const box of fieldset.querySelectorAll(`input[value="${tag.dataset.value}"]`)) box.checked = false;
    showTags(fieldset);
  });
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
})();
