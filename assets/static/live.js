// live.js keeps a live board current from its Server-Sent Events stream
// (data-stream on #live-board). The server renders every fragment; this only
// swaps them in. Without it the board is a snapshot.
(function () {
  "use strict";
  var board = document.getElementById("live-board");
  if (!board || !window.EventSource) return;
  var conn = document.getElementById("live-conn");
  var joins = document.getElementById("live-joins");
  var noshows = document.getElementById("live-noshows");
  var maxJoins = 50;

  function say(text, state) {
    conn.textContent = text;
    conn.setAttribute("data-state", state);
  }

  function parse(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    return t.content;
  }

  function hide(id) {
    var el = document.getElementById(id);
    if (el) el.hidden = true;
  }

  // "12 s ago", as the server writes it, kept counting.
  function rough(ms) {
    var s = Math.floor(ms / 1000);
    if (s < 60) return s + " s";
    if (s < 3600) return Math.floor(s / 60) + " min";
    if (s < 48 * 3600) return Math.floor(s / 3600) + " h";
    return Math.floor(s / 86400) + " days";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time.ago").forEach(function (t) {
      var at = Date.parse(t.getAttribute("datetime"));
      if (isNaN(at)) return;
      t.textContent = now - at < 1000 ? "just now" : rough(now - at) + " ago";
    });
  }
  setInterval(tick, 1000);

  say("Connecting to live updates…", "connecting");
  var es = new EventSource(board.getAttribute("data-stream"));
  es.onopen = function () {
    say("Live: joins appear here the moment they happen.", "open");
  };
  es.onerror = function () {
    if (es.readyState === EventSource.CLOSED) {
      say("Live updates stopped. Reload the page to start them again.", "closed");
    } else {
      say("Connection lost; reconnecting… The numbers may be behind until it is back.", "lost");
    }
  };

  // A "join" message holds one row, or several in order (a burst of joins
  // arrives as a few messages, not hundreds); each goes on top as it comes.
  es.addEventListener("join", function (e) {
    Array.prototype.slice.call(parse(e.data).children).forEach(function (row) {
      if (document.getElementById(row.id)) return;
      row.classList.add("fresh");
      joins.insertBefore(row, joins.firstChild);
      while (joins.rows.length > maxJoins) joins.deleteRow(-1);
      hide("live-joins-empty");
      var shown = document.getElementById("noshow-" + row.getAttribute("data-registrant"));
      if (shown) shown.remove();
    });
    tick();
  });

  // A burst bigger than the list: who joined before the rows shown, so
  // their no-show rows go.
  es.addEventListener("joined", function (e) {
    e.data.split(" ").forEach(function (key) {
      var shown = document.getElementById("noshow-" + key);
      if (shown) shown.remove();
    });
    tick();
  });

  // Figures, timeline, counts: each part replaces the element it names.
  es.addEventListener("board", function (e) {
    parse(e.data).querySelectorAll("[data-swap]").forEach(function (part) {
      var el = document.getElementById(part.getAttribute("data-swap"));
      if (el) el.replaceChildren.apply(el, Array.prototype.slice.call(part.childNodes));
    });
    tick();
  });

  es.addEventListener("pipe", function (e) {
    document.getElementById("live-pipe").replaceChildren(parse(e.data));
    tick();
  });

  es.addEventListener("noshow", function (e) {
    var row = parse(e.data).firstElementChild;
    if (!row) return;
    var old = document.getElementById(row.id);
    if (old) {
      old.replaceWith(row);
    } else if (noshows.getAttribute("data-filtered") !== "true") {
      noshows.insertBefore(row, noshows.firstChild);
      hide("live-noshows-empty");
    }
  });

  // A new session started and this board follows the latest one.
  es.addEventListener("session", function (e) {
    if (e.data.charAt(0) !== "/") return;
    es.close();
    say("A new session started; opening it…", "connecting");
    window.location.assign(e.data);
  });
})();
