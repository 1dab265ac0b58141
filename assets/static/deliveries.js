// deliveries.js keeps the Deliveries page current from its Server-Sent
// Events stream (data-stream on #deliveries) and adds the copy buttons of
// a delivery's detail page. The server renders every row; this only puts
// them in place. Without it the page is a snapshot and the text is there
// to select.
(function () {
  "use strict";

  // Copy buttons, as on the setup page: data-copy names the element whose
  // text to copy.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      var label = button.textContent;
      var done = function (words) {
        button.textContent = words;
        setTimeout(function () { button.textContent = label; }, 2000);
      };
      var fallback = function () {
        var range = document.createRange();
        range.selectNodeContents(source);
        var sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        done(ok ? "Copied" : "Selected: press Ctrl+C (⌘C on a Mac)");
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { done("Copied"); }, fallback);
      } else {
        fallback();
      }
    });
  });

  var page = document.getElementById("deliveries");
  if (!page || !window.EventSource) return;
  var rows = document.getElementById("deliveries-rows");
  var empty = document.getElementById("deliveries-empty");
  var conn = document.getElementById("deliveries-conn");
  var maxRows = 500;
  function say(text, state) {
    conn.textContent = text;
    conn.setAttribute("data-state", state);
  }
  say("Connecting to live updates…", "connecting");
  var es = new EventSource(page.getAttribute("data-stream"));
  es.onopen = function () { say("Live: new deliveries appear here as they arrive.", "open"); };
  es.onerror = function () {
    say(es.readyState === EventSource.CLOSED
      ? "Live updates stopped. Reload the page to start them again."
      : "Connection lost; reconnecting…", es.readyState === EventSource.CLOSED ? "closed" : "lost");
  };
  es.addEventListener("delivery", function (e) {
    var t = document.createElement("template");
    t.innerHTML = e.data.trim();
    var row = t.content.firstElementChild;
    if (!row) return;
    var old = document.getElementById(row.id);
    if (old) {
      old.replaceWith(row); // changed (Verify again): in place
    } else {
      rows.insertBefore(row, rows.firstChild);
    }
    if (empty) empty.hidden = true;
    while (rows.children.length > maxRows) rows.removeChild(rows.lastChild);
  });
})();
