// Creating a staff user: choosing a role fills in that role's usual rights (still editable).
// The presets come from the server (data-role-presets on the form); nothing is decided here.
(function () {
  "use strict";

  function apply(form, preset) {
    Object.keys(preset).forEach(function (name) {
      var input = form.elements.namedItem(name);
      if (!input) return;
      if (input instanceof HTMLInputElement && input.type === "checkbox") {
        input.checked = Boolean(preset[name]);
      } else if ("value" in input) {
        input.value = String(preset[name]);
      }
    });
  }

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || select.name !== "role") return;
    var form = select.form;
    if (!form || !form.hasAttribute("data-role-presets")) return;
    var presets;
    try {
      presets = JSON.parse(form.getAttribute("data-role-presets"));
    } catch (error) {
      return;
    }
    if (presets && presets[select.value]) apply(form, presets[select.value]);
  });
})();
