// refresh.js keeps the parts of a page marked data-live current: every few
// seconds it fetches the page again and swaps in those parts when they
// changed (the tunnel's state, the webhooks, the last delivery). The server
// renders every state; without script the page is a snapshot.
(function () {
  "use strict";
  var every = 3000;
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
