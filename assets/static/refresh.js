// refresh.js keeps the parts of a page marked data-live current: every few
// seconds it fetches the page again and swaps in those parts when they
// changed (the tunnel's state, the webhooks, the last delivery). The server
// renders every state; without script the page is a snapshot.
//
// How often: data-poll, in seconds (fractions allowed), on the element that
// holds this script or an ancestor (as setup.js reads it on the setup
// page); 3 seconds when absent or not a positive number.
(function () {
  "use strict";
  var holder = (document.currentScript && document.currentScript.closest("[data-poll]")) ||
    document.querySelector("[data-poll]");
  var seconds = holder ? parseFloat(holder.getAttribute("data-poll")) : NaN;
  var every = isFinite(seconds) && seconds > 0 ? seconds * 1000 : 3000;
  function swap(doc) {
    document.querySelectorAll("[data-live][id]").forEach(function (el) {
      var fresh = doc.getElementById(el.id);
      if (fresh && fresh.outerHTML !== el.outerHTML) {
        el.replaceWith(document.importNode(fresh, true));
      }
    });
  }
  function check() {
    if (document.hidden) {
      setTimeout(check, every);
      return;
    }
    fetch(window.location.pathname + window.location.search, { cache: "no-store", credentials: "same-origin" })
      .then(function (resp) {
        if (!resp.ok) throw new Error("HTTP " + resp.status);
        return resp.text();
      })
      .then(function (html) { swap(new DOMParser().parseFromString(html, "text/html")); })
      .catch(function () { /* the app is stopping or restarting: try again */ })
      .then(function () { setTimeout(check, every); });
  }
  setTimeout(check, every);
})();
