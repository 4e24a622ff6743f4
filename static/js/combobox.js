/*
 * combobox.js: an input with [data-combobox="<options url>"] becomes an ARIA 1.2 combobox
 * (list autocomplete): typing fetches suggestions from the url (?q=...; the response is
 * <option value="..."> elements), ArrowDown/ArrowUp move through them, Enter takes one,
 * Escape closes the list. Focus stays in the input; the highlighted option is announced via
 * aria-activedescendant. Without this script the input is a plain text field (+ datalist).
 * No inline handlers (CSP); content that htmx swaps in is set up after each swap.
 */
(function () {
  "use strict";

  var DELAY_MS = 150;
  var MAX_OPTIONS = 50;

  function setUp(input) {
    if (input.hasAttribute("data-combobox-ready")) { return; }
    input.setAttribute("data-combobox-ready", "");
    var url = input.getAttribute("data-combobox");
    var listbox = document.createElement("ul");
    listbox.id = input.id + "-listbox";
    listbox.className = "combobox__listbox";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", input.getAttribute("data-combobox-label") || "");
    listbox.hidden = true;
    input.insertAdjacentElement("afterend", listbox);
    // the native datalist popup would compete with ours; the datalist still gets the options
    var datalist = document.getElementById(input.getAttribute("list") || "");
    input.removeAttribute("list");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);

    var active = -1;
    var timer = null;
    var asked = 0;        // number of the newest request: older answers are dropped
    var wantFirst = false; // ArrowDown came before the answer: highlight the first one then

    function options() { return listbox.querySelectorAll("[role=option]"); }

    function open() {
      if (!options().length) { close(); return; }
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      highlight(-1);
    }

    function highlight(index) {
      var all = options();
      active = index;
      Array.prototype.forEach.call(all, function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
        option.classList.toggle("is-active", i === index);
      });
      if (index >= 0 && all[index]) {
        input.setAttribute("aria-activedescendant", all[index].id);
        all[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(option) {
      input.value = option.getAttribute("data-value");
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(values) {
      listbox.textContent = "";
      if (datalist) {
        datalist.textContent = "";
        values.forEach(function (value) {
          var item = document.createElement("option");
          item.value = value;
          datalist.appendChild(item);
        });
      }
      values.slice(0, MAX_OPTIONS).forEach(function (value, i) {
        var option = document.createElement("li");
        option.id = listbox.id + "-" + i;
        option.className = "combobox__option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-value", value);
        option.textContent = value;
        listbox.appendChild(option);
      });
      active = -1;
      if (document.activeElement !== input) { return; }
      open();
      if (wantFirst && values.length) { highlight(0); }
      wantFirst = false;
    }

    function fetchOptions() {
      var number = ++asked;
      var target = url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(input.value);
      fetch(target, { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          if (number !== asked) { return; }
          var parsed = document.createElement("template");
          parsed.innerHTML = html; // inert: a template's content is neither rendered nor run
          var values = Array.prototype.map.call(
            parsed.content.querySelectorAll("option"),
            function (option) { return option.value; }
          );
          show(values);
        })
        .catch(function () { if (number === asked) { close(); } });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchOptions, DELAY_MS);
    }

    input.addEventListener("input", later);

    input.addEventListener("keydown", function (evt) {
      var count = options().length;
      var expanded = !listbox.hidden;
      if (evt.key === "ArrowDown" || evt.key === "ArrowUp") {
        evt.preventDefault();
        if (!expanded) {
          if (count) { open(); highlight(evt.key === "ArrowDown" ? 0 : count - 1); }
          else { wantFirst = true; fetchOptions(); }
          return;
        }
        var step = evt.key === "ArrowDown" ? 1 : -1;
        highlight(active < 0 ? (step > 0 ? 0 : count - 1) : (active + step + count) % count);
      } else if (evt.key === "Enter" && expanded && active >= 0) {
        evt.preventDefault(); // take the option, do not submit the form
        choose(options()[active]);
      } else if (evt.key === "Escape" && expanded) {
        evt.preventDefault();
        evt.stopPropagation(); // only the list closes, not a dialog around it
        close();
      } else if (evt.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", function () { window.setTimeout(close, 0); });

    // mousedown keeps the focus in the input; click takes the option
    listbox.addEventListener("mousedown", function (evt) { evt.preventDefault(); });
    listbox.addEventListener("click", function (evt) {
      var option = evt.target.closest("[role=option]");
      if (option) { choose(option); input.focus(); }
    });
  }

  function init(root) {
    var scope = root && root.querySelectorAll ? root : document;
    Array.prototype.forEach.call(scope.querySelectorAll("input[data-combobox]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  document.addEventListener("htmx:load", function (evt) { init(evt.target); });
})();
