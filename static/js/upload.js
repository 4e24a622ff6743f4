/*
 * upload.js: the file pickers of the upload and message forms ([data-file-picker]).
 * - the chosen file names show under the "Datei auswählen" button; a `multiple` picker lists
 *   each file with its size (and, for several, how many and their total);
 * - files dropped on the picker go into its input (desktop drag and drop);
 * - on touch devices "Foto aufnehmen" appears: its input (capture, no name) hands the
 *   photo to the main input, so the form still sends one "file" field (a `multiple` picker
 *   adds each photo to the files already chosen: several pages of one letter);
 * - a picker with limits (data-max-files, data-max-file-bytes, data-max-total-bytes on its
 *   input) says at once when too many or too large files are chosen and keeps the form from
 *   being sent; the server checks the same and answers with the form again.
 * The upload progress bar and cancel live in app.js (htmx:xhr:progress).
 */
(function () {
  "use strict";

  var coarse = window.matchMedia ? window.matchMedia("(pointer: coarse)") : null;

  function pickerOf(node) {
    return node && node.closest ? node.closest("[data-file-picker]") : null;
  }

  function mainInput(picker) {
    return picker.querySelector("input.file-picker__input");
  }

  // A translated text from a data attribute with {placeholders} filled in.
  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all;
    });
  }

  // 512 Byte, 1,5 KB, 23 KB, 4,2 MB: as the server's filesize filter writes them.
  function size(bytes, out) {
    if (bytes < 1024) { return fill(out.getAttribute("data-bytes") || "{n} B", { n: bytes }); }
    var units = ["KB", "MB", "GB"], value = bytes, unit = units[0], shown = 0;
    for (var i = 0; i < units.length; i++) {
      value /= 1024;
      unit = units[i];
      shown = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
      if (shown < 1024) { break; }
    }
    var lang = document.documentElement.lang || "de";
    return new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(shown) + "\u00a0" + unit;
  }

  // Built from text nodes: a file's name is the user's, never markup.
  function listFiles(out, files) {
    var list = document.createElement("ul");
    var total = 0;
    list.className = "file-picker__list";
    Array.prototype.forEach.call(files, function (file) {
      var item = document.createElement("li");
      var name = document.createElement("span");
      var bytes = document.createElement("span");
      name.className = "file-picker__name";
      name.textContent = file.name;
      bytes.className = "file-picker__size";
      bytes.textContent = size(file.size, out);
      item.appendChild(name);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(bytes);
      list.appendChild(item);
      total += file.size;
    });
    out.textContent = "";
    out.appendChild(list);
    if (files.length > 1) {
      var sum = document.createElement("p");
      sum.className = "file-picker__total";
      sum.textContent = fill(out.getAttribute("data-total"), { count: files.length, size: size(total, out) });
      out.appendChild(sum);
    }
  }

  function showChosen(picker) {
    var input = mainInput(picker);
    var out = picker.querySelector(".file-picker__chosen");
    if (!input || !out) { return; }
    var files = input.files || [];
    if (files.length && input.multiple) {
      listFiles(out, files);
    } else {
      var names = Array.prototype.map.call(files, function (f) { return f.name; });
      out.textContent = names.length ? names.join(", ") : (out.getAttribute("data-empty") || "");
    }
    picker.classList.toggle("has-file", files.length > 0);
    several(picker, files.length > 1);
    check(picker);
  }

  // Several files: the title may stay empty (each document is named after its file).
  function several(picker, yes) {
    var form = picker.closest("form");
    var title = form && form.querySelector("[data-optional-for-several]");
    if (!title) { return; }
    title.required = !yes;
    var marker = form.querySelector('label[for="' + title.id + '"] .required');
    if (marker) { marker.hidden = yes; }
  }

  // What is wrong with the chosen files ("" when nothing): too many, one too large, or too
  // much together for one request.
  function problem(input, out) {
    var files = input.files || [];
    var maxFiles = Number(input.getAttribute("data-max-files")) || 0;
    var maxFile = Number(input.getAttribute("data-max-file-bytes")) || 0;
    var maxTotal = Number(input.getAttribute("data-max-total-bytes")) || 0;
    var total = 0;
    if (maxFiles && files.length > maxFiles) {
      return fill(out.getAttribute("data-too-many"), { count: files.length });
    }
    for (var i = 0; i < files.length; i++) {
      if (maxFile && files[i].size > maxFile) {
        return fill(out.getAttribute("data-too-large"), { name: files[i].name });
      }
      total += files[i].size;
    }
    return maxTotal && total > maxTotal ? (out.getAttribute("data-total-too-large") || "") : "";
  }

  // Shows the picker's problem (if it has limits); true when the files may be sent.
  function check(picker) {
    var input = mainInput(picker);
    var out = picker.querySelector(".file-picker__problem");
    if (!input || !out) { return true; }
    var text = problem(input, out);
    if (out.textContent !== text) { out.textContent = text; }
    picker.classList.toggle("has-problem", !!text);
    if (text) {
      input.setAttribute("aria-invalid", "true");
    } else if (!document.getElementById(input.id + "-error")) { // the server's error stays
      input.removeAttribute("aria-invalid");
    }
    return !text;
  }

  // Put `files` into the picker's main input; a single-file input takes the first only.
  // `append` keeps the files already chosen (a multiple input's camera photos).
  function setFiles(picker, files, append) {
    var input = mainInput(picker);
    if (!input || !files || !files.length || typeof DataTransfer !== "function") { return; }
    var transfer = new DataTransfer();
    var i;
    if (append && input.multiple) {
      for (i = 0; i < input.files.length; i++) { transfer.items.add(input.files[i]); }
    }
    var count = input.multiple ? files.length : 1;
    for (i = 0; i < count; i++) { transfer.items.add(files[i]); }
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // Too many or too large files are not sent: stopped in the capture phase, before htmx's
  // own listener sees the submit; the focus goes to the picker that says why.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    var pickers = form.querySelectorAll("[data-file-picker]");
    var refused = Array.prototype.filter.call(pickers, function (picker) { return !check(picker); });
    if (!refused.length) { return; }
    evt.preventDefault();
    evt.stopImmediatePropagation();
    var input = mainInput(refused[0]);
    if (input) { input.focus(); }
  }, true);

  document.addEventListener("change", function (evt) {
    var target = evt.target;
    var picker = pickerOf(target);
    if (!picker) { return; }
    if (target.hasAttribute("data-camera-for")) {
      setFiles(picker, target.files, true);
      target.value = "";
      return;
    }
    showChosen(picker);
  });

  function hasFiles(evt) {
    var types = evt.dataTransfer && evt.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
  }

  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (evt) {
      var picker = pickerOf(evt.target);
      if (!picker || !hasFiles(evt)) { return; }
      evt.preventDefault();
      evt.dataTransfer.dropEffect = "copy";
      picker.classList.add("is-dragover");
    });
  });

  document.addEventListener("dragleave", function (evt) {
    var picker = pickerOf(evt.target);
    if (picker && !picker.contains(evt.relatedTarget)) { picker.classList.remove("is-dragover"); }
  });

  document.addEventListener("drop", function (evt) {
    var picker = pickerOf(evt.target);
    if (!picker || !evt.dataTransfer || !evt.dataTransfer.files.length) { return; }
    evt.preventDefault();
    picker.classList.remove("is-dragover");
    setFiles(picker, evt.dataTransfer.files);
  });

  // Camera or files: only where a camera is the natural choice (touch screens).
  function init(root) {
    if (!root || !root.querySelectorAll) { return; }
    var pickers = root.matches && root.matches("[data-file-picker]") ? [root] : root.querySelectorAll("[data-file-picker]");
    Array.prototype.forEach.call(pickers, function (picker) {
      var phone = !!(coarse && coarse.matches);
      var camera = picker.querySelector("[data-camera-for]");
      var choice = picker.querySelector("[data-camera-choice]");
      var hint = picker.querySelector(".file-picker__drop-hint");
      if (camera && choice) { camera.disabled = camera.hidden = choice.hidden = !phone; }
      if (hint) { hint.hidden = phone; } // nothing to drag on a phone
      picker.classList.add("is-enhanced");
      showChosen(picker);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  document.addEventListener("htmx:load", function (evt) { init(evt.detail && evt.detail.elt); });
})();
