// The message a page opens with takes the focus, so that it is read first: a refused form's
// error summary, or else a notification of what just happened ("Case resolved."). The error
// summary works as GOV.UK's: each of its links moves to the field with the field's label (or
// its group's legend) in view, not scrolled off under the top of the screen.
(function () {
  "use strict";

  var summary = document.querySelector("[data-error-summary]");
  var notification = document.querySelector("[data-notification]");

  // The element whose text names the field: its group's legend, or its own label.
  function namingElement(field) {
    var grouped = field.type === "radio" || field.type === "checkbox";
    var legend = grouped && field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
    if (legend) return legend;
    return document.querySelector('label[for="' + field.id + '"]') || field;
  }

  if (summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();  // the browser would put the field, not its label, at the top
      namingElement(field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
    // An address with a #fragment (the skip link, or an error link before the form was sent
    // again) would make the browser focus that element once the page has loaded: drop it.
    if (location.hash) history.replaceState(history.state, "", location.pathname + location.search);
    summary.focus();
  } else if (notification && !location.hash) {  // a #fragment says where to go instead
    notification.focus();
  }
})();
