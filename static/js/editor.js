/*
 * editor.js: the settings page (white label).
 *   (a) A small rich-text editor: [data-rich-editor] wraps a toolbar, a contenteditable
 *       area and the textarea that is submitted. Without JavaScript the textarea is the editor.
 *       Only paragraphs, line breaks, bold, italic, lists and links are kept. Pasted markup
 *       loses its links, styles and everything else; links come only from "Insert link",
 *       which accepts http(s), mailto and tel addresses. The server sanitizes again (nh3).
 *   (b) Colour fields: a colour picker next to each #rrggbb text field, kept in sync.
 * No inline handlers, no eval, no external scripts (the CSP forbids them). Event delegation
 * on document, so content that htmx swaps in is covered; init() runs again after swaps.
 */
(function () {
  "use strict";

  /* ------------------------------------------------------------------ *
   * Cleaning: the same small subset the server keeps
   * ------------------------------------------------------------------ */
  var KEEP = { P: "p", BR: "br", STRONG: "strong", B: "strong", EM: "em", I: "em", UL: "ul", OL: "ol", LI: "li" };
  var AS_PARAGRAPH = { DIV: 1, H1: 1, H2: 1, H3: 1, H4: 1, H5: 1, H6: 1, BLOCKQUOTE: 1, SECTION: 1,
    ARTICLE: 1, HEADER: 1, FOOTER: 1, ADDRESS: 1, PRE: 1, TR: 1 };
  var DROP = { SCRIPT: 1, STYLE: 1, TEMPLATE: 1, IFRAME: 1, OBJECT: 1, EMBED: 1, NOSCRIPT: 1, SVG: 1,
    MATH: 1, HEAD: 1, TITLE: 1, META: 1, LINK: 1, IMG: 1, PICTURE: 1, VIDEO: 1, AUDIO: 1, CANVAS: 1,
    INPUT: 1, SELECT: 1, TEXTAREA: 1, BUTTON: 1 };
  var SAFE_HREF = /^(?:https?:\/\/[^\s\/]|mailto:\S|tel:[+0-9(])/i;

  // Parsing in a <template> is inert: no script runs, no image loads, no handler fires.
  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function copyClean(source, target, keepLinks) {
    Array.prototype.forEach.call(source.childNodes, function (node) {
      if (node.nodeType === 3) {
        target.appendChild(document.createTextNode(node.nodeValue));
        return;
      }
      if (node.nodeType !== 1) { return; } // comments, processing instructions
      var tag = node.nodeName.toUpperCase();
      if (DROP[tag]) { return; }
      var out = null;
      if (tag === "A") {
        var href = (node.getAttribute("href") || "").trim();
        if (keepLinks && SAFE_HREF.test(href)) {
          out = document.createElement("a");
          out.setAttribute("href", href);
          if (node.getAttribute("target") === "_blank") { out.setAttribute("target", "_blank"); }
          out.setAttribute("rel", "noopener noreferrer");
        }
      } else if (KEEP[tag]) {
        out = document.createElement(KEEP[tag]);
      } else if (AS_PARAGRAPH[tag]) {
        out = document.createElement("p");
      }
      if (out) {
        copyClean(node, out, keepLinks);
        target.appendChild(out);
      } else {
        copyClean(node, target, keepLinks); // unknown wrapper (span, font…): keep its text
      }
    });
  }

  var BLOCK = { P: 1, UL: 1, OL: 1 };

  // Loose text and inline elements at the top level go into paragraphs; empty ones are dropped.
  function tidyBlocks(box) {
    var paragraph = null;
    Array.prototype.slice.call(box.childNodes).forEach(function (node) {
      if (BLOCK[node.nodeName] || node.nodeName === "LI") {
        paragraph = null;
        return;
      }
      if (!paragraph) {
        paragraph = document.createElement("p");
        box.insertBefore(paragraph, node);
      }
      paragraph.appendChild(node);
    });
    Array.prototype.slice.call(box.querySelectorAll("p, li")).forEach(function (block) {
      while (block.lastChild && block.lastChild.nodeName === "BR" && block.childNodes.length > 1) {
        block.removeChild(block.lastChild);
      }
      if (block.nodeName === "P" && !block.textContent.trim()) { block.parentNode.removeChild(block); }
    });
    return box;
  }

  function cleanHtml(html, keepLinks) {
    var box = document.createElement("div");
    copyClean(parse(html), box, keepLinks);
    return tidyBlocks(box).innerHTML;
  }

  function textAsHtml(text) {
    var box = document.createElement("div");
    String(text || "").replace(/\r\n?/g, "\n").split(/\n{2,}/).forEach(function (block) {
      if (!block.trim()) { return; }
      var p = document.createElement("p");
      block.split("\n").forEach(function (line, index) {
        if (index) { p.appendChild(document.createElement("br")); }
        p.appendChild(document.createTextNode(line));
      });
      box.appendChild(p);
    });
    return box.innerHTML;
  }

  /* ------------------------------------------------------------------ *
   * (a) Rich-text editor
   * ------------------------------------------------------------------ */
  function parts(field) {
    return {
      field: field,
      area: field.querySelector("[data-editor-area]"),
      textarea: field.querySelector("textarea"),
      toolbar: field.querySelector("[data-editor-toolbar]")
    };
  }

  function sync(field) {
    var p = parts(field);
    if (p.area && p.textarea) { p.textarea.value = cleanHtml(p.area.innerHTML, true); }
  }

  // The selection inside each editor, kept while focus is on the toolbar or the link dialog.
  function rememberSelection(field) {
    var area = parts(field).area;
    var selection = window.getSelection();
    if (selection && selection.rangeCount && area.contains(selection.anchorNode)) {
      field._editorRange = selection.getRangeAt(0).cloneRange();
    }
  }

  function restoreSelection(field) {
    var area = parts(field).area;
    area.focus();
    var range = field._editorRange;
    var selection = window.getSelection();
    if (range && selection && area.contains(range.startContainer)) {
      selection.removeAllRanges();
      selection.addRange(range);
    }
  }

  function updateToolbar(field) {
    var toolbar = parts(field).toolbar;
    if (!toolbar) { return; }
    ["bold", "italic"].forEach(function (command) {
      var button = toolbar.querySelector('[data-editor-cmd="' + command + '"]');
      var on = false;
      try { on = document.queryCommandState(command); } catch (ignore) { on = false; }
      if (button) { button.setAttribute("aria-pressed", on ? "true" : "false"); }
    });
  }

  function exec(command, value) {
    try { return document.execCommand(command, false, value); } catch (ignore) { return false; }
  }

  function initEditor(field) {
    if (field.hasAttribute("data-editor-ready")) { return; }
    var p = parts(field);
    if (!p.area || !p.textarea || !p.toolbar) { return; }
    field.setAttribute("data-editor-ready", "");
    p.area.innerHTML = cleanHtml(p.textarea.value, true);
    p.toolbar.hidden = false;
    p.area.hidden = false;
    p.textarea.hidden = true;
    var hint = field.querySelector("[data-editor-nojs]");
    if (hint) { hint.hidden = true; }
    var label = field.querySelector("label[for='" + p.textarea.id + "']");
    if (label) {
      label.addEventListener("click", function (evt) { evt.preventDefault(); p.area.focus(); });
    }
    // Typing in the editor is not a change of the page's look: keep it from the preview trigger.
    p.area.addEventListener("input", function (evt) { evt.stopPropagation(); sync(field); });
    p.area.addEventListener("keyup", function () { rememberSelection(field); updateToolbar(field); });
    p.area.addEventListener("mouseup", function () { rememberSelection(field); updateToolbar(field); });
    p.area.addEventListener("blur", function () { rememberSelection(field); sync(field); });
    p.area.addEventListener("paste", function (evt) { onPaste(evt, field); });
    p.area.addEventListener("focus", function () { startParagraph(p.area); });
    p.area.addEventListener("drop", function (evt) { evt.preventDefault(); });
    p.area.addEventListener("keydown", function (evt) {
      if ((evt.ctrlKey || evt.metaKey) && (evt.key === "k" || evt.key === "K")) {
        evt.preventDefault();
        rememberSelection(field);
        openLinkDialog(field);
      }
    });
  }

  // Typing into an empty editor starts inside a paragraph, not in a loose text node.
  function startParagraph(area) {
    if (area.textContent.trim() || area.querySelector("li")) { return; }
    area.innerHTML = "<p><br></p>";
    var range = document.createRange();
    range.setStart(area.firstChild, 0);
    range.collapse(true);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function onPaste(evt, field) {
    var data = evt.clipboardData;
    if (!data) { return; }
    evt.preventDefault();
    var html = data.getData("text/html");
    // Pasted links become plain text: links are only added through "Insert link".
    var clean = html ? cleanHtml(html, false) : textAsHtml(data.getData("text/plain"));
    exec("insertHTML", clean);
    sync(field);
  }

  var COMMANDS = {
    bold: function () { exec("bold"); },
    italic: function () { exec("italic"); },
    insertUnorderedList: function () { exec("insertUnorderedList"); },
    insertOrderedList: function () { exec("insertOrderedList"); },
    paragraph: function () { exec("formatBlock", "p"); },
    lineBreak: function () { if (!exec("insertLineBreak")) { exec("insertHTML", "<br>"); } },
    unlink: function () { exec("unlink"); }
  };

  // Keep the editor's selection when a toolbar button is pressed with the mouse.
  document.addEventListener("mousedown", function (evt) {
    if (evt.target.closest && evt.target.closest("[data-editor-cmd]")) { evt.preventDefault(); }
  });

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest ? evt.target.closest("[data-editor-cmd]") : null;
    if (!button) { return; }
    var field = button.closest("[data-rich-editor]");
    if (!field) { return; }
    evt.preventDefault();
    var command = button.getAttribute("data-editor-cmd");
    if (command === "link") { openLinkDialog(field); return; }
    restoreSelection(field);
    if (COMMANDS[command]) { COMMANDS[command](); }
    rememberSelection(field);
    updateToolbar(field);
    sync(field);
  });

  // Every editor writes its content into its textarea before the form is sent.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    Array.prototype.forEach.call(form.querySelectorAll("[data-rich-editor][data-editor-ready]"), sync);
  }, true);

  /* ------------------------------------------------------------------ *
   * Insert link: a dialog that asks for the address and "open in new tab"
   * ------------------------------------------------------------------ */
  function normalizeAddress(raw) {
    var value = String(raw || "").trim();
    if (!value) { return null; }
    if (/^[a-z][a-z0-9+.-]*:/i.test(value) && !/^(https?|mailto|tel):/i.test(value)) { return null; }
    if (/^(https?:\/\/|mailto:|tel:)/i.test(value)) { return SAFE_HREF.test(value) ? value : null; }
    if (/^[^\s@\/:]+@[^\s@\/:]+\.[a-z]{2,}$/i.test(value)) { return "mailto:" + value; }
    if (/^\+?[0-9][0-9 ()\/.-]{4,}$/.test(value)) { return "tel:" + value.replace(/[^+0-9]/g, ""); }
    if (/^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?([\/?#]\S*)?$/i.test(value)) { return "https://" + value; }
    return null;
  }

  function linkAround(field) {
    var range = field._editorRange;
    var node = range ? range.startContainer : null;
    var area = parts(field).area;
    while (node && node !== area) {
      if (node.nodeName === "A") { return node; }
      node = node.parentNode;
    }
    return null;
  }

  var dialogField = null;

  function openLinkDialog(field) {
    var dialog = document.querySelector("[data-link-dialog]");
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    dialogField = field;
    var existing = linkAround(field);
    var url = dialog.querySelector("#link-url");
    var blank = dialog.querySelector("#link-blank");
    url.value = existing ? existing.getAttribute("href") || "" : "";
    blank.checked = existing ? existing.getAttribute("target") === "_blank" : true;
    showUrlError(dialog, false);
    dialog.showModal();
    url.focus();
  }

  function showUrlError(dialog, on) {
    var error = dialog.querySelector("#link-url-error");
    var url = dialog.querySelector("#link-url");
    error.hidden = !on;
    if (on) {
      url.setAttribute("aria-invalid", "true");
      url.setAttribute("aria-describedby", "link-url-hint link-url-error");
    } else {
      url.removeAttribute("aria-invalid");
      url.setAttribute("aria-describedby", "link-url-hint");
    }
  }

  function insertLink(field, href, newTab) {
    var area = parts(field).area;
    var existing = linkAround(field);
    restoreSelection(field);
    var before = Array.prototype.slice.call(area.querySelectorAll("a"));
    var created = [];
    if (existing) {
      existing.setAttribute("href", href);
      created = [existing];
    } else {
      var selection = window.getSelection();
      if (!selection || selection.isCollapsed) {
        var anchor = document.createElement("a");
        anchor.setAttribute("href", href);
        anchor.textContent = href.replace(/^(mailto|tel):/i, "");
        exec("insertHTML", anchor.outerHTML + "\u00a0");
      } else {
        exec("createLink", href);
      }
      created = Array.prototype.filter.call(area.querySelectorAll("a"), function (a) {
        return before.indexOf(a) < 0 || a.getAttribute("href") === href;
      });
    }
    created.forEach(function (a) {
      if (newTab) { a.setAttribute("target", "_blank"); } else { a.removeAttribute("target"); }
      a.setAttribute("rel", "noopener noreferrer");
    });
    sync(field);
  }

  document.addEventListener("submit", function (evt) {
    var dialog = evt.target.closest ? evt.target.closest("[data-link-dialog]") : null;
    if (!dialog) { return; }
    evt.preventDefault();
    evt.stopImmediatePropagation();
    var href = normalizeAddress(dialog.querySelector("#link-url").value);
    if (!href) {
      showUrlError(dialog, true);
      dialog.querySelector("#link-url").focus();
      return;
    }
    var field = dialogField;
    var newTab = dialog.querySelector("#link-blank").checked;
    dialogField = null; // the link goes in below; the close handler has nothing to restore
    dialog.close();
    if (field) { insertLink(field, href, newTab); }
  }, true);

  document.addEventListener("click", function (evt) {
    var cancel = evt.target.closest ? evt.target.closest("[data-link-cancel]") : null;
    if (!cancel) { return; }
    evt.preventDefault();
    var dialog = cancel.closest("[data-link-dialog]");
    if (dialog) { dialog.close(); }
  });

  document.addEventListener("close", function (evt) {
    if (evt.target.matches && evt.target.matches("[data-link-dialog]") && dialogField) {
      var field = dialogField;
      dialogField = null;
      restoreSelection(field);
    }
  }, true);

  /* ------------------------------------------------------------------ *
   * (b) Colour fields: picker <-> #rrggbb text field
   * ------------------------------------------------------------------ */
  var HEX = /^#?([0-9a-f]{6})$/i;

  function pickerFor(text) {
    return document.querySelector('[data-color-picker-for="' + text.id + '"]');
  }

  function themeDefault(text) {
    var hint = document.getElementById(text.getAttribute("data-default-from") || "");
    return hint ? hint.getAttribute("data-color") : null;
  }

  function syncPicker(text) {
    var picker = pickerFor(text);
    if (!picker) { return; }
    var match = HEX.exec(text.value.trim());
    var color = match ? "#" + match[1].toLowerCase() : themeDefault(text);
    if (color) { picker.value = color; }
  }

  document.addEventListener("input", function (evt) {
    var target = evt.target;
    if (!target || !target.matches) { return; }
    if (target.matches("[data-color-picker-for]")) {
      var text = document.getElementById(target.getAttribute("data-color-picker-for"));
      if (text) { text.value = target.value.toLowerCase(); }
    } else if (target.matches("[data-color-field]")) {
      syncPicker(target);
    }
  });

  // "Reset to the theme's colours": empty fields mean the theme's colours; the preview follows.
  document.addEventListener("click", function (evt) {
    var reset = evt.target.closest ? evt.target.closest("[data-reset-colors]") : null;
    if (!reset || !reset.form) { return; }
    evt.preventDefault();
    var fields = reset.form.querySelectorAll("[data-color-field]");
    Array.prototype.forEach.call(fields, function (text) { text.value = ""; syncPicker(text); });
    if (fields.length) { fields[0].dispatchEvent(new Event("input", { bubbles: true })); }
  });

  /* ------------------------------------------------------------------ *
   * Initialisation, on load and after every htmx swap
   * ------------------------------------------------------------------ */
  function each(root, selector, fn) {
    if (!root || (root.nodeType !== 1 && root.nodeType !== 9)) { return; }
    if (root.nodeType === 1 && root.matches(selector)) { fn(root); }
    Array.prototype.forEach.call(root.querySelectorAll(selector), fn);
  }

  function init(root) {
    root = root || document;
    try {
      document.execCommand("defaultParagraphSeparator", false, "p");
      document.execCommand("styleWithCSS", false, false);
    } catch (ignore) { /* older browsers: their defaults are fine */ }
    each(root, "[data-rich-editor]", initEditor);
    each(root, "[data-color-picker-for]", function (picker) { picker.hidden = false; });
    each(document, "[data-color-field]", syncPicker);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  document.addEventListener("htmx:load", function (evt) { init(evt.detail && evt.detail.elt); });
  // The preview answer updates the theme's default colours out of band: pickers follow.
  document.addEventListener("htmx:afterSettle", function () { each(document, "[data-color-field]", syncPicker); });
})();
