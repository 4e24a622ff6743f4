/* Small form helpers (no inline script under our CSP):
   [data-fill-target="input-id"] buttons put their value into that input (insurer A-Z jump).
   [data-print] buttons print the page; [data-copy-text] buttons copy their text (recovery
   codes). Both stay hidden without this script.
*/
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fill-target]");
    if (!button) return;
    var input = document.getElementById(button.getAttribute("data-fill-target"));
    if (!input) return;
    input.value = button.value;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    input.focus();
    var list = button.closest("[data-fill-list]");
    if (list) list.innerHTML = "";
  });
})();
(function () {
  "use strict";
  function reveal(root) {
    root.querySelectorAll("[data-print][hidden], [data-copy-text][hidden]").forEach(function (button) {
      if (button.hasAttribute("data-copy-text") && !(navigator.clipboard && window.isSecureContext)) return;
      button.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:afterSettle", function (event) { reveal(event.target); });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); return; }
    var button = event.target.closest("[data-copy-text]");
    if (!button) return;
    navigator.clipboard.writeText(button.getAttribute("data-copy-text")).then(function () {
      button.textContent = button.getAttribute("data-copied") || button.textContent;
    });
  });
})();
