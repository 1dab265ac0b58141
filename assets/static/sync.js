// sync.js keeps the home page's catch-up panel (#sync) current while a sync
// runs: every second it fetches the panel as the server renders it
// (data-progress) and swaps it in. When the sync ends it reloads the page
// once, so the webinars it brought show. Without it, reload by hand.
(function () {
  "use strict";
  if (!window.fetch || !window.HTMLTemplateElement) return;

  function panel() { return document.getElementById("sync"); }
  function running(el) { return el && el.getAttribute("data-running") === "true"; }

  function tick() {
    var el = panel();
    if (!el) return;
    fetch(el.getAttribute("data-progress"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (resp) {
        if (!resp.ok) throw new Error("HTTP " + resp.status);
        return resp.text();
      })
      .then(function (html) {
        var t = document.createElement("template");
        t.innerHTML = html;
        var next = t.content.querySelector("#sync");
        if (!next) throw new Error("no panel in the answer");
        el.replaceWith(next);
        if (running(next)) {
          setTimeout(tick, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { setTimeout(tick, 5000); });
  }

  if (running(panel())) setTimeout(tick, 1000);
})();
