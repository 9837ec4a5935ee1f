// The customer's case pages, better with JavaScript: times in the reader's own time zone,
// a copy button for the case reference and a form that is sent only once.
(function () {
  "use strict";

  // <time datetime> elements show UTC without script; here they show the reader's time.
  function showLocalTimes() {
    var times = document.querySelectorAll("time[data-local-time]");
    if (!times.length || !window.Intl) return;
    var format = new Intl.DateTimeFormat(undefined, {
      year: "numeric", month: "short", day: "numeric",
      hour: "2-digit", minute: "2-digit", timeZoneName: "short"
    });
    times.forEach(function (time) {
      var moment = new Date(time.getAttribute("datetime"));
      if (!isNaN(moment)) time.textContent = format.format(moment);
    });
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    document.querySelectorAll("[data-time-note]").forEach(function (note) {
      note.textContent = zone ? "Times are in your time zone (" + zone + ")." : "";
    });
  }

  // The copy button only exists where the clipboard can be written.
  function offerCopy() {
    var area = document.querySelector("[data-copy-area]");
    if (!area || !navigator.clipboard) return;
    var button = area.querySelector("[data-copy]");
    var status = area.querySelector("[data-copy-status]");
    area.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(
        function () { status.textContent = "Copied."; },
        function () { status.textContent = "Could not copy: select the reference instead."; }
      );
    });
  }

  // A second click while the first is on its way sends nothing more (the server also
  // adds one form once).
  function sendOnce() {
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.hasAttribute("data-sending")) {
          event.preventDefault();
          return;
        }
        form.setAttribute("data-sending", "");
        form.setAttribute("aria-busy", "true");
      });
    });
  }

  showLocalTimes();
  offerCopy();
  sendOnce();
})();
