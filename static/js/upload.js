/*
 * upload.js: the file pickers of the upload and message forms ([data-file-picker]).
 * - the chosen file names show under the "Datei auswählen" button;
 * - files dropped on the picker go into its input (desktop drag and drop);
 * - on touch devices "Foto aufnehmen" appears: its input (capture, no name) hands the
 *   photo to the main input, so the form still sends one "file" field.
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

  function showChosen(picker) {
    var input = mainInput(picker);
    var out = picker.querySelector(".file-picker__chosen");
    if (!input || !out) { return; }
    var names = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
    out.textContent = names.length ? names.join(", ") : (out.getAttribute("data-empty") || "");
    picker.classList.toggle("has-file", names.length > 0);
  }

  // Put `files` into the picker's main input; a single-file input takes the first only.
  function setFiles(picker, files) {
    var input = mainInput(picker);
    if (!input || !files || !files.length || typeof DataTransfer !== "function") { return; }
    var transfer = new DataTransfer();
    var count = input.multiple ? files.length : 1;
    for (var i = 0; i < count; i++) { transfer.items.add(files[i]); }
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("change", function (evt) {
    var target = evt.target;
    var picker = pickerOf(target);
    if (!picker) { return; }
    if (target.hasAttribute("data-camera-for")) {
      setFiles(picker, target.files);
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
