/* The language control (templates/_partials/language.html): choosing a language switches
   at once. The submit button stays for browsers without JS; here it is hidden. */
(function () {
  "use strict";
  function setUp(root) {
    root.querySelectorAll("form[data-language-form]").forEach(function (form) {
      var button = form.querySelector("[data-language-submit]");
      if (button) button.hidden = true;
    });
  }
  document.addEventListener("change", function (event) {
    var select = event.target;
    var form = select && select.closest && select.closest("form[data-language-form]");
    if (!form || select.tagName !== "SELECT") return;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
  // Boosted navigations swap the body: hide the buttons of the new content too.
  document.addEventListener("htmx:afterSettle", function (event) { setUp(event.target); });
})();
