/*
 * dialog.js: the product's confirmation dialog, in place of the browser's confirm().
 * window.AppDialog.confirm(options, onConfirm) opens one shared modal <dialog>:
 *   options.message  the question (the data-confirm text)
 *   options.action   the confirm button's label (the label of the button that asked)
 *   options.object   the name of what the action touches, shown prominently (optional)
 *   options.danger   style the confirm button as a danger button
 *   options.returnTo the element that gets focus back when the dialog closes
 * Escape or "Abbrechen" closes it and nothing happens; focus stays inside while it is open.
 * No inline handlers, no innerHTML with text: the CSP and escaping stay simple.
 */
(function () {
  "use strict";

  var WORDS = {
    de: { title: "Bitte bestätigen", cancel: "Abbrechen", confirm: "Bestätigen" },
    en: { title: "Please confirm", cancel: "Cancel", confirm: "Confirm" }
  };
  var FOCUSABLE = "button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), " +
    "textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

  function words() {
    var lang = (document.documentElement.lang || "de").slice(0, 2);
    return WORDS[lang] || WORDS.de;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  // One dialog per document; built on first use (htmx swaps of <main> leave it alone
  // because it lives directly in <body>).
  function dialog() {
    var existing = document.getElementById("confirm-dialog");
    if (existing) { return existing; }
    var w = words();
    var d = el("dialog", {
      id: "confirm-dialog", "class": "dialog confirm-dialog",
      "aria-labelledby": "confirm-dialog-title", "aria-describedby": "confirm-dialog-message"
    });
    d.appendChild(el("h2", { id: "confirm-dialog-title" }, w.title));
    d.appendChild(el("p", { id: "confirm-dialog-object", "class": "confirm-dialog__object" }));
    d.appendChild(el("p", { id: "confirm-dialog-message" }));
    var actions = el("div", { "class": "dialog__actions" });
    actions.appendChild(el("button", { type: "button", "class": "btn btn--secondary", "data-dialog-cancel": "" }, w.cancel));
    actions.appendChild(el("button", { type: "button", "class": "btn btn--primary", "data-dialog-confirm": "" }, w.confirm));
    d.appendChild(actions);
    document.body.appendChild(d);

    d.addEventListener("click", function (evt) {
      if (evt.target.closest("[data-dialog-cancel]")) { d.close("cancel"); }
      else if (evt.target.closest("[data-dialog-confirm]")) { d.close("confirm"); }
      else if (evt.target === d) { d.close("cancel"); } // a click on the backdrop
    });
    d.addEventListener("keydown", function (evt) {
      if (evt.key !== "Tab") { return; }
      var items = Array.prototype.filter.call(d.querySelectorAll(FOCUSABLE), function (n) {
        return n.getClientRects().length > 0;
      });
      if (!items.length) { return; }
      var first = items[0];
      var last = items[items.length - 1];
      if (evt.shiftKey && document.activeElement === first) { evt.preventDefault(); last.focus(); }
      else if (!evt.shiftKey && document.activeElement === last) { evt.preventDefault(); first.focus(); }
    });
    d.addEventListener("close", function () {
      var done = d._onConfirm;
      var back = d._returnTo;
      d._onConfirm = null;
      d._returnTo = null;
      if (back && document.contains(back)) { back.focus(); }
      if (d.returnValue === "confirm" && done) { done(); }
    });
    return d;
  }

  function confirm(options, onConfirm) {
    var d = dialog();
    var w = words();
    if (d.open) { return; }
    var object = d.querySelector("#confirm-dialog-object");
    object.textContent = options.object || "";
    object.hidden = !options.object;
    d.querySelector("#confirm-dialog-message").textContent = options.message || "";
    d.querySelector("#confirm-dialog-title").textContent = options.action || w.title;
    var ok = d.querySelector("[data-dialog-confirm]");
    ok.textContent = options.action || w.confirm;
    ok.className = "btn " + (options.danger ? "btn--danger" : "btn--primary");
    d._onConfirm = onConfirm;
    d._returnTo = options.returnTo || document.activeElement;
    d.returnValue = "";
    d.showModal();
    // The safe choice has the focus: Enter on an accidental double press cancels.
    d.querySelector("[data-dialog-cancel]").focus();
  }

  window.AppDialog = {
    supported: typeof HTMLDialogElement === "function",
    confirm: confirm
  };
})();
