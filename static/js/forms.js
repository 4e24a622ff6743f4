/* Small form helpers (no inline script under our CSP):
   [data-fill-target="input-id"] buttons put their value into that input (insurer A-Z jump).
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
