// The entrapment page's live clocks: every limit still running shows the minutes since the call, ticking without
// a reload; at its deadline it turns red. The server's figures stay the record (the page is reloaded every
// minute while people are trapped, so a step recorded on another phone shows up).
(function () {
  "use strict";
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var since = Date.parse(el.getAttribute("data-since"));
      var due = Date.parse(el.getAttribute("data-due") || "");
      if (isNaN(since)) return;
      var minutes = Math.max(0, Math.floor((now - since) / 60000));
      var number = el.querySelector("[data-minutes]");
      if (number) number.textContent = String(minutes);
      if (!isNaN(due) && now > due) el.classList.add("due-breached");
    });
  }
  function start() {
    tick();
    window.setInterval(tick, 15000);
    var reload = document.querySelector("[data-reload-seconds]");
    if (reload) {
      var seconds = parseInt(reload.getAttribute("data-reload-seconds"), 10) || 60;
      window.setTimeout(function () {
        // Not while someone is typing a summary or a time.
        var active = document.activeElement;
        if (!active || !/^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) window.location.reload();
      }, seconds * 1000);
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
