// setup.js keeps the setup page's checks current and adds a copy button to
// the redirect URI. The server renders every state: this fetches the page
// again every few seconds and swaps in its parts marked data-live (never
// the forms, so nothing typed is lost). Without it, "Check again" reloads.
(function () {
  "use strict";
  var page = document.getElementById("setup");
  if (!page) return;

  // Copy buttons: data-copy names the element whose text to copy. Without
  // script the text is still there to select.
  function copied(button, words) {
    var before = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", before);
    button.textContent = words;
    setTimeout(function () { button.textContent = before; }, 2000);
  }
  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      var fallback = function () {
        selectText(source);
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        copied(button, ok ? "Copied" : "Selected: press Ctrl+C (⌘C on a Mac)");
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { copied(button, "Copied"); }, fallback);
      } else {
        fallback();
      }
    });
  });

  // Live checks.
  var every = (parseFloat(page.getAttribute("data-poll")) || 2) * 1000;
  var recheck = document.getElementById("setup-recheck");
  function say(text, lost) {
    if (!recheck) return;
    recheck.textContent = text;
    recheck.classList.toggle("warn", !!lost);
  }
  say("These checks update by themselves every " + every / 1000 + " seconds.");

  function swap(doc) {
    document.querySelectorAll("[data-live]").forEach(function (el) {
      var fresh = doc.getElementById(el.id);
      if (fresh && fresh.outerHTML !== el.outerHTML) {
        el.replaceWith(document.importNode(fresh, true));
      }
    });
    document.querySelectorAll(".step[id]").forEach(function (el) {
      var fresh = doc.getElementById(el.id);
      if (fresh) el.setAttribute("data-state", fresh.getAttribute("data-state"));
    });
  }

  function check() {
    if (document.hidden) {
      setTimeout(check, every);
      return;
    }
    fetch(window.location.pathname, { cache: "no-store", credentials: "same-origin" })
      .then(function (resp) {
        if (!resp.ok) throw new Error("HTTP " + resp.status);
        return resp.text();
      })
      .then(function (html) {
        swap(new DOMParser().parseFromString(html, "text/html"));
        say("These checks update by themselves every " + every / 1000 + " seconds.");
      })
      .catch(function () {
        say("Cannot reach webinarsync: is it still running? Trying again…", true);
      })
      .then(function () { setTimeout(check, every); });
  }
  setTimeout(check, every);
})();
