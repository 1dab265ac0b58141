// events.js keeps the event log current from its Server-Sent Events
// stream (data-stream on #events) and adds the copy buttons of the raw
// JSON and of the forwarding secret. The server renders every row; this
// only puts them in place. Without it the page is a snapshot and the text
// is there to select.
(function () {
  "use strict";

  // Copy buttons, as on the setup page: data-copy names the element whose
  // text to copy. Delegated, so rows that arrive live have them too.
  function reveal(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (b) { b.hidden = false; });
  }
  reveal(document);
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest("button[data-copy]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    var text = source.textContent.trim();
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
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

  var page = document.getElementById("events");
  var url = page && page.getAttribute("data-stream");
  if (!url || !window.EventSource) return;
  var rows = document.getElementById("events-rows");
  var empty = document.getElementById("events-empty");
  var conn = document.getElementById("events-conn");
  var maxRows = 200;
  function say(text, state) {
    if (!conn) return;
    conn.textContent = text;
    conn.setAttribute("data-state", state);
  }
  say("Connecting to live updates…", "connecting");
  var es = new EventSource(url);
  es.onopen = function () { say("Live: new events appear at the top as they arrive.", "open"); };
  es.onerror = function () {
    var closed = es.readyState === EventSource.CLOSED;
    say(closed ? "Live updates stopped. Reload the page to start them again."
      : "Connection lost; reconnecting…", closed ? "closed" : "lost");
  };
  es.addEventListener("entry", function (e) {
    var t = document.createElement("template");
    t.innerHTML = e.data.trim();
    var row = t.content.firstElementChild;
    if (!row || document.getElementById(row.id)) return;
    row.classList.add("fresh");
    reveal(row);
    rows.insertBefore(row, rows.firstChild);
    if (empty) empty.hidden = true;
    while (rows.children.length > maxRows) rows.removeChild(rows.lastChild);
  });
})();
