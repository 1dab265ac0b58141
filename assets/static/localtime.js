// localtime.js shows times in the viewer's own time zone. The server writes
// every time in UTC inside <time datetime="…" data-local="…">; this script
// rewrites the text with Intl.DateTimeFormat in the browser's zone and keeps
// the UTC text as the tooltip. Without script the page reads in UTC.
//
// data-local says what the element shows:
//   at    a moment: "Mon 2 Jan 2026, 15:04 GMT+1"
//   short the same for a table cell, without the weekday
//   span  a session from datetime to data-end: "Mon 2 Jan 2026, 15:00–16:00 GMT+1"
//   clock a join: the time of day, with the date when it is not today
//   title a relative time ("3 min ago"): only its tooltip becomes local
// The live board's timeline is SVG, where <time> cannot be: its labels
// carry data-at (the moment) and data-local tick (time of day), tick-zone
// (with the zone's name) or bar (a bar's tooltip: time, then data-rest);
// a <span data-local="zone"> names the browser's zone.
// An element with data-zone (a webinar's own zone) is hidden when the
// browser's zone is that zone: the local time already says it.
// Parts that refresh.js or live.js swap in later are rewritten too.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone) return;
  var at = new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  });
  var short = new Intl.DateTimeFormat(undefined, {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  });
  var hm = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
  var hms = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  var dayHms = new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", second: "2-digit"
  });
  var day = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit" });

  function sameDay(a, b) { return day.format(a) === day.format(b); }

  // noZone is the moment as "at" writes it, without the zone's name, for
  // the start of a span whose end names the zone.
  function noZone(d) {
    return at.formatToParts(d).filter(function (p) { return p.type !== "timeZoneName"; })
      .map(function (p) { return p.value; }).join("").replace(/[\s,]+$/, "");
  }

  function local(el) {
    var d = new Date(el.getAttribute("datetime"));
    if (isNaN(d.getTime())) return;
    var utc = el.textContent.trim();
    switch (el.getAttribute("data-local")) {
      case "at":
        el.textContent = at.format(d);
        break;
      case "short":
        el.textContent = short.format(d);
        break;
      case "span":
        var end = new Date(el.getAttribute("data-end") || "");
        if (isNaN(end.getTime()) || end <= d) {
          el.textContent = at.format(d);
        } else if (sameDay(d, end)) {
          // "Mon 2 Jan 2026, 15:00 GMT+1" + "–16:00 GMT+1": one zone name.
          el.textContent = noZone(d) + "–" + hm.format(end);
        } else {
          el.textContent = noZone(d) + " – " + at.format(end);
        }
        break;
      case "clock":
        el.textContent = sameDay(d, new Date()) ? hms.format(d) : dayHms.format(d);
        break;
      case "title":
        el.title = at.format(d);
        return;
      default:
        return;
    }
    if (!el.title) el.title = utc;
  }

  var hmNoZone = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  var dayHm = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  var zoneName = (hm.formatToParts(new Date()).filter(function (p) { return p.type === "timeZoneName"; })[0] || {}).value || zone;

  // timelineLabel rewrites one SVG label or tooltip of the timeline.
  function timelineLabel(el) {
    var kind = el.getAttribute("data-local");
    if (kind === "zone") {
      el.textContent = zoneName;
      return;
    }
    var d = new Date(el.getAttribute("data-at"));
    if (isNaN(d.getTime())) return;
    // The date only where the server wrote one: the label's day differs.
    var text = /[A-Za-z]{3} /.test(el.textContent) ? dayHm.format(d) : hmNoZone.format(d);
    if (kind === "tick-zone") text += " " + zoneName;
    if (kind === "bar") text = hmNoZone.format(d) + " " + zoneName + ": " + el.getAttribute("data-rest");
    el.textContent = text;
  }

  function rewrite() {
    document.querySelectorAll("[data-at][data-local]:not([data-localized]), span[data-local=zone]:not([data-localized])").forEach(function (el) {
      el.setAttribute("data-localized", "");
      timelineLabel(el);
    });
    document.querySelectorAll("time[data-local]:not([data-localized])").forEach(function (el) {
      el.setAttribute("data-localized", "");
      local(el);
    });
    document.querySelectorAll("[data-zone]:not([data-localized])").forEach(function (el) {
      el.setAttribute("data-localized", "");
      if (el.getAttribute("data-zone") === zone) el.hidden = true;
    });
  }

  rewrite();
  new MutationObserver(rewrite).observe(document.body, { childList: true, subtree: true });
})();
