// The permission page: each folder's setting in plain words as its ticks change. The words
// come rendered by the server for all eight combinations (#folder-explanations), so this only
// picks one; it never decides a rule itself.
(function () {
  "use strict";

  function keyOf(row) {
    var folder = row.getAttribute("data-folder");
    return ["unlock", "share", "readonly"].map(function (flag) {
      var box = row.querySelector("#p-" + folder + "_" + flag);
      return box && box.checked ? "1" : "0";
    }).join("");
  }

  function explainRow(row) {
    var list = document.getElementById("folder-explanations");
    if (!list) return;
    var item = list.querySelector('li[data-key="' + keyOf(row) + '"]');
    if (!item) return;
    var folder = row.getAttribute("data-folder");
    var text = document.getElementById("explain-" + folder);
    var warning = document.getElementById("warn-" + folder);
    if (text) text.textContent = item.textContent;
    if (warning) {
      var words = item.getAttribute("data-warning") || "";
      warning.textContent = words;
      warning.hidden = !words;
    }
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox") return;
    var row = box.closest("tr[data-folder]");
    if (row && document.getElementById("folder-explanations")) explainRow(row);
  });
})();
