/*
 * app.js: small progressive enhancements for the portal.
 * No dependencies, no inline handlers, no eval (the CSP forbids them).
 * Everything works through event delegation on document, so content that
 * htmx swaps in is covered; init() only sets up per-element state
 * (toast timers, typed-confirmation buttons) and runs again after swaps.
 */
(function () {
  "use strict";

  var TOAST_MS = 6000;
  var motionQuery = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;

  function reducedMotion() { return !!(motionQuery && motionQuery.matches); }

  /* All elements in root (root included) matching selector. */
  function each(root, selector, fn) {
    if (!root || root.nodeType !== 1 && root.nodeType !== 9) { return; }
    if (root.nodeType === 1 && root.matches(selector)) { fn(root); }
    Array.prototype.forEach.call(root.querySelectorAll(selector), fn);
  }

  /* ------------------------------------------------------------------ *
   * (a) Off-canvas sidebar
   * ------------------------------------------------------------------ */
  function sidebarFor(toggle) {
    var id = toggle && toggle.getAttribute("aria-controls");
    return (id && document.getElementById(id)) || document.querySelector(".sidebar");
  }

  function setMenu(open, toggle) {
    var sidebar = sidebarFor(toggle);
    if (!sidebar) { return; }
    sidebar.classList.toggle("is-open", open);
    each(document, ".menu-toggle", function (btn) {
      btn.setAttribute("aria-expanded", open ? "true" : "false");
    });
    if (open) {
      var first = sidebar.querySelector("a[href], button:not([disabled])");
      if (first) { first.focus(); }
    }
  }

  // The menu only counts as open in the off-canvas (small screen) layout,
  // i.e. while a .menu-toggle is visible.
  function openSidebar() {
    var sidebar = document.querySelector(".sidebar.is-open");
    if (!sidebar) { return null; }
    var toggle = document.querySelector(".menu-toggle");
    return toggle && toggle.getClientRects().length ? sidebar : null;
  }

  document.addEventListener("click", function (evt) {
    var toggle = evt.target.closest ? evt.target.closest(".menu-toggle") : null;
    if (toggle) {
      evt.preventDefault();
      setMenu(!sidebarFor(toggle).classList.contains("is-open"), toggle);
      return;
    }
    // A click outside the open sidebar (on the dimmed page) only closes it.
    var open = openSidebar();
    if (open && !open.contains(evt.target)) {
      evt.preventDefault();
      evt.stopPropagation();
      setMenu(false);
    }
  }, true);

  document.addEventListener("keydown", function (evt) {
    if (evt.key === "Escape" && openSidebar()) {
      setMenu(false);
      var toggle = document.querySelector(".menu-toggle");
      if (toggle) { toggle.focus(); }
    }
  });

  // Keyboard focus leaving the open menu closes it.
  document.addEventListener("focusin", function (evt) {
    var open = openSidebar();
    if (open && !open.contains(evt.target) && !evt.target.closest(".menu-toggle")) { setMenu(false); }
  });

  /* ------------------------------------------------------------------ *
   * (b) Confirmations
   * ------------------------------------------------------------------ */
  // data-confirm="text" on a form or on its submit button: ask before submitting, in the
  // product's dialog (dialog.js). data-confirm-object names what the action touches.
  // The first submit is stopped; a confirmed dialog submits again, which passes once.
  function askFirst(trigger, holder, text, proceed) {
    var button = trigger && trigger.matches && trigger.matches("button, input[type=submit]") ? trigger :
      (holder.querySelector && holder.querySelector("button[type=submit], button:not([type])"));
    if (!window.AppDialog || !window.AppDialog.supported) {
      if (window.confirm(text)) { proceed(); }
      return;
    }
    window.AppDialog.confirm({
      message: text,
      action: button ? (button.textContent || button.value || "").trim() : "",
      object: (trigger && trigger.getAttribute("data-confirm-object")) || holder.getAttribute("data-confirm-object") || "",
      danger: !!(button && (button.classList.contains("btn--danger") || button.hasAttribute("data-confirm-danger"))),
      returnTo: button || trigger
    }, proceed);
  }

  function stop(evt) {
    // Capture phase on document: stopping here keeps htmx's own listeners from seeing it.
    evt.preventDefault();
    evt.stopImmediatePropagation();
  }

  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    var submitter = evt.submitter || null;
    var text = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (form.hasAttribute("data-confirm-typed") && !typedMatches(form)) { stop(evt); return; }
    if (!text) { return; }
    if (form._appConfirmed) { form._appConfirmed = false; return; }
    stop(evt);
    askFirst(submitter, form, text, function () {
      form._appConfirmed = true;
      if (form.requestSubmit) {
        form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      } else {
        form.submit();
      }
    });
  }, true);

  // data-confirm on a button or link that is not a plain form submit (e.g. hx-delete).
  var HX_VERBS = ["get", "post", "put", "patch", "delete"].map(function (v) {
    return "[hx-" + v + "],[data-hx-" + v + "]";
  }).join(",");
  document.addEventListener("click", function (evt) {
    var el = evt.target.closest ? evt.target.closest("[data-confirm]") : null;
    if (!el || el.tagName === "FORM") { return; }
    var isSubmit = el.form && (el.type === "submit" || el.type === "image");
    var ownRequest = el.matches(HX_VERBS);
    if (isSubmit && !ownRequest) { return; } // handled by the submit listener above
    if (el._appConfirmed) { el._appConfirmed = false; return; }
    stop(evt);
    askFirst(el, el, el.getAttribute("data-confirm"), function () {
      el._appConfirmed = true;
      el.click();
    });
  }, true);

  // form[data-confirm-typed="WORD"]: submit stays disabled until confirm_text equals WORD.
  function typedMatches(form) {
    var input = form.querySelector("[name=confirm_text]");
    var word = form.getAttribute("data-confirm-typed") || "";
    return !!input && input.value.trim() === word;
  }

  function updateTyped(form) {
    var ok = typedMatches(form);
    each(form, "button[type=submit], button:not([type]), input[type=submit]", function (btn) {
      if (btn.hasAttribute("data-cancel-upload")) { return; }
      btn.disabled = !ok;
    });
  }

  document.addEventListener("input", function (evt) {
    var t = evt.target;
    if (t && t.name === "confirm_text" && t.form && t.form.hasAttribute("data-confirm-typed")) {
      updateTyped(t.form);
    }
  });

  /* ------------------------------------------------------------------ *
   * (c) Toasts
   * ------------------------------------------------------------------ */
  function removeToast(toast) {
    if (!toast || !toast.parentNode) { return; }
    clearTimeout(toast._appTimer);
    if (reducedMotion()) { toast.remove(); return; }
    toast.classList.add("is-hiding");
    setTimeout(function () { toast.remove(); }, 250);
  }

  function armToast(toast) {
    clearTimeout(toast._appTimer);
    toast._appTimer = setTimeout(function () { removeToast(toast); }, TOAST_MS);
  }

  function initToast(toast) {
    if (toast.hasAttribute("data-toast-ready")) { return; }
    toast.setAttribute("data-toast-ready", "");
    if (toast.getAttribute("data-autohide") === "false") { return; }
    armToast(toast);
    // Timing adjustable (WCAG 2.2.1): pause while hovered or focused.
    var pause = function () { clearTimeout(toast._appTimer); };
    var resume = function () {
      if (!toast.matches(":hover") && !toast.contains(document.activeElement)) { armToast(toast); }
    };
    toast.addEventListener("mouseenter", pause);
    toast.addEventListener("focusin", pause);
    toast.addEventListener("mouseleave", resume);
    toast.addEventListener("focusout", function () { setTimeout(resume, 0); });
  }

  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest ? evt.target.closest(".toast__close") : null;
    if (btn) {
      evt.preventDefault();
      removeToast(btn.closest(".toast"));
    }
  });

  /* ------------------------------------------------------------------ *
   * (e) Upload progress and cancel
   * ------------------------------------------------------------------ */
  function uploadForm(el) {
    var form = el && el.closest ? el.closest("form") : null;
    if (!form) { return null; }
    var enc = form.getAttribute("hx-encoding") || form.getAttribute("data-hx-encoding");
    if (enc !== "multipart/form-data") { return null; }
    return form.querySelector("progress.progress") ? form : null;
  }

  function setProgress(form, pct, reset) {
    var bar = form.querySelector("progress.progress");
    if (!bar) { return; }
    if (!bar.hasAttribute("max")) { bar.max = 100; }
    var max = Number(bar.max) || 100;
    var value = Math.max(0, Math.min(max, pct * max / 100));
    // htmx reports upload and download progress under one event name:
    // never let the bar run backwards during one request.
    if (reset || value >= Number(bar.value || 0)) { bar.value = value; }
    bar.setAttribute("aria-valuetext", Math.round(pct) + " %");
  }

  document.addEventListener("htmx:beforeSend", function (evt) {
    var form = uploadForm(evt.target);
    if (!form) { return; }
    var bar = form.querySelector("progress.progress");
    if (bar.hidden) { bar.hidden = false; bar.setAttribute("data-was-hidden", ""); }
    form.setAttribute("data-uploading", "");
    setProgress(form, 0, true);
  });

  document.addEventListener("htmx:xhr:progress", function (evt) {
    var form = uploadForm(evt.target);
    var d = evt.detail || {};
    if (form && form.hasAttribute("data-uploading") && d.total > 0) {
      setProgress(form, (d.loaded / d.total) * 100, false);
    }
  });

  function endUpload(evt) {
    var form = uploadForm(evt.target);
    if (!form) { return; }
    var bar = form.querySelector("progress.progress");
    form.removeAttribute("data-uploading");
    if (evt.type === "htmx:xhr:abort" || (evt.detail && evt.detail.failed)) { setProgress(form, 0, true); }
    if (bar.hasAttribute("data-was-hidden")) { bar.hidden = true; bar.removeAttribute("data-was-hidden"); }
  }
  document.addEventListener("htmx:afterRequest", endUpload);
  document.addEventListener("htmx:xhr:abort", endUpload);

  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest ? evt.target.closest("[data-cancel-upload]") : null;
    if (!btn) { return; }
    evt.preventDefault();
    var form = btn.closest("form");
    if (form && window.htmx) { window.htmx.trigger(form, "htmx:abort"); }
  });

  /* ------------------------------------------------------------------ *
   * (d) Initialisation, on load and after every htmx swap
   * ------------------------------------------------------------------ */
  function init(root) {
    root = root || document;
    each(root, ".toast", initToast);
    each(root, "form[data-confirm-typed]", updateTyped);
    each(root, ".menu-toggle", function (btn) {
      if (!btn.hasAttribute("aria-expanded")) { btn.setAttribute("aria-expanded", "false"); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  document.addEventListener("htmx:load", function (evt) { init(evt.detail && evt.detail.elt); });
  document.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail && evt.detail.target;
    init(target);
    // A page navigation (boosted link, main content swap) closes the menu;
    // small swaps such as badge polls leave it alone.
    if (evt.detail && (evt.detail.boosted || target === document.body ||
        (target && target.matches && target.matches("main, main.content")))) {
      if (document.querySelector(".sidebar.is-open")) { setMenu(false); }
    }
  });
})();
