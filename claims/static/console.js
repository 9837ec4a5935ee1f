// The agent console's keyboard shortcuts, one key each, listed on a help overlay ("?").
// They never fire while the agent types in a field or holds a modifier key; every one is a
// shortcut to something the page also offers without JavaScript.
(function () {
  "use strict";

  var help = document.querySelector("[data-shortcuts-help]");
  var opener = document.querySelector("[data-shortcuts-open]");
  if (!help) return;
  opener.hidden = false;
  opener.addEventListener("click", function () { help.showModal(); });

  function typing(element) {
    return element.closest && element.closest("input, textarea, select, [contenteditable]");
  }

  function first(name) {
    return document.querySelector('[data-shortcut="' + name + '"]');
  }

  // Next and previous: the cases of a list, or the entries of a case's history.
  function move(step) {
    var items = Array.prototype.slice.call(document.querySelectorAll("[data-shortcut-item]"));
    if (!items.length) return;
    var at = items.indexOf(document.activeElement);
    var next = at === -1 ? 0 : Math.min(Math.max(at + step, 0), items.length - 1);
    items[next].focus();
    items[next].scrollIntoView({ block: "nearest" });
  }

  var keys = {
    j: function () { move(1); },
    k: function () { move(-1); },
    "/": function () {
      var box = first("search");
      if (box) box.focus();
      else window.location.href = help.dataset.searchUrl;
    },
    n: function () { var form = first("take-next"); if (form) form.requestSubmit(); },
    r: function () { var box = first("reply"); if (box) box.focus(); },
    "?": function () { if (help.open) help.close(); else help.showModal(); }
  };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var act = keys[event.key];
    if (!act) return;
    event.preventDefault();
    act();
  });
})();
