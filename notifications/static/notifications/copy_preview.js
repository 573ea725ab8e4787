// The notification copy's live preview: asks the admin's preview view as the designer types.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var panel = document.getElementById("copy-preview");
    if (!panel) { return; }
    var fields = ["kind", "tone", "title", "body"].map(function (name) { return document.getElementById("id_" + name); });
    var runner = document.getElementById("copy-preview-runner");
    var out = {
      title: document.getElementById("copy-preview-title"),
      titleCount: document.getElementById("copy-preview-title-count"),
      body: document.getElementById("copy-preview-body"),
      bodyCount: document.getElementById("copy-preview-body-count"),
      error: document.getElementById("copy-preview-error")
    };
    var timer = null, asked = 0;
    function count(length, limit, over) {
      return length + " / " + limit + " characters" + (over ? " — over the push limit, phones cut it short" : "");
    }
    function show(answer) {
      out.error.hidden = !answer.error;
      out.error.textContent = answer.error || "";
      if (answer.error) { return; }
      out.title.textContent = answer.title;
      out.body.textContent = answer.body;
      out.titleCount.textContent = count(answer.lengths.title, answer.limits.title, answer.over.title);
      out.bodyCount.textContent = count(answer.lengths.body, answer.limits.body, answer.over.body) +
        " · with the title " + count(answer.lengths.lock_screen_total, answer.limits.lock_screen_total, answer.over.lock_screen_total);
      panel.classList.toggle("copy-preview-over", answer.over.title || answer.over.body || answer.over.lock_screen_total);
      out.titleCount.classList.toggle("copy-preview-over-limit", answer.over.title);
      out.bodyCount.classList.toggle("copy-preview-over-limit", answer.over.body || answer.over.lock_screen_total);
    }
    function ask() {
      var query = new URLSearchParams();
      fields.forEach(function (field) { if (field) { query.set(field.name, field.value); } });
      if (runner && runner.value) { query.set("runner", runner.value); }
      var mine = ++asked;
      fetch(panel.dataset.url + "?" + query.toString(), {credentials: "same-origin"})
        .then(function (response) { return response.json(); })
        .then(function (answer) { if (mine === asked) { show(answer); } })
        .catch(function (error) { show({error: String(error)}); });
    }
    function later() { clearTimeout(timer); timer = setTimeout(ask, 250); }
    fields.concat([runner]).forEach(function (field) {
      if (field) { field.addEventListener("input", later); field.addEventListener("change", later); }
    });
    ask();
  });
})();
