/* Passkeys (WebAuthn): adding one on "Anmeldung & Sicherheit" (templates/account/_passkeys.html)
   and logging in with one (templates/auth/_passkey_login.html).

   The server sends the options as JSON with the binary values in base64url, and gets the
   browser's answer back the same way (web/passkeys.py), with the CSRF token in the
   X-CSRF-Token header as htmx sends it. Adding one asks for the current password first: it
   goes with the options request, and a refusal is shown at its field. Every message shown comes from the data-msg-*
   attributes of the page, so it is in the user's language. A browser without WebAuthn
   keeps the controls hidden (and is told so where passkeys are managed). No inline script,
   no eval, no dependencies. */
(function () {
  "use strict";

  function supported() {
    return !!(window.PublicKeyCredential && navigator.credentials &&
      typeof navigator.credentials.create === "function" &&
      typeof navigator.credentials.get === "function");
  }

  /* ---- base64url <-> bytes ---------------------------------------------------------- */

  function toBytes(text) {
    var base64 = String(text).replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = window.atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) { binary += String.fromCharCode(bytes[i]); }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      var descriptor = { type: item.type, id: toBytes(item.id) };
      if (item.transports) { descriptor.transports = item.transports; }
      return descriptor;
    });
  }

  function creationOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.user = Object.assign({}, json.user, { id: toBytes(json.user.id) });
    options.excludeCredentials = descriptors(json.excludeCredentials);
    return options;
  }

  function requestOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.allowCredentials = descriptors(json.allowCredentials);
    return options;
  }

  function credentialJSON(credential) {
    var response = credential.response;
    var answer = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: toText(response.clientDataJSON) }
    };
    if (response.attestationObject) {
      answer.response.attestationObject = toText(response.attestationObject);
      answer.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      answer.response.authenticatorData = toText(response.authenticatorData);
      answer.response.signature = toText(response.signature);
      answer.response.userHandle = response.userHandle ? toText(response.userHandle) : null;
    }
    return answer;
  }

  /* ---- talking to the server --------------------------------------------------------- */

  function Refusal(reason, errors) {
    this.reason = reason;
    this.errors = errors || {};
  }

  // The server's JSON answer; a refusal for {"error": ...}, an answer that is not JSON (an
  // error page) or a lost connection.
  function post(url, token, body) {
    return window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return { error: "failed" }; });
    }, function () {
      throw new Refusal("network");
    }).then(function (answer) {
      if (!answer || answer.error) {
        throw new Refusal((answer && answer.error) || "failed", answer && answer.errors);
      }
      return answer;
    });
  }

  // What the browser's own refusals mean for the person in front of it.
  function reasonOf(error) {
    if (error instanceof Refusal) { return error.reason; }
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "AbortError") { return "cancelled"; }
    if (name === "InvalidStateError") { return "exists"; }
    return "failed";
  }

  function message(root, reason) {
    return root.getAttribute("data-msg-" + reason) || root.getAttribute("data-msg-failed") || "";
  }

  // Error texts live in plain slots, hidden while empty (`hidden` cannot hide an element
  // whose class sets display, so the alert goes inside).
  function showError(root, text) {
    var slot = root.querySelector("[data-passkey-error]");
    if (!slot) { return; }
    slot.textContent = "";
    slot.hidden = !text;
    if (!text) { return; }
    var alert = document.createElement("div");
    alert.className = "alert alert--danger";
    alert.setAttribute("role", "alert");
    var paragraph = document.createElement("p");
    paragraph.textContent = text;
    alert.appendChild(paragraph);
    slot.appendChild(alert);
  }

  // The message below the field it is about (its slot: data-passkey-field-error="<name>"),
  // or none; the input points at it, and back at its hint once it is gone.
  function showFieldError(form, input, text) {
    var slot = form.querySelector('[data-passkey-field-error="' + input.name + '"]');
    if (slot) {
      slot.textContent = "";
      slot.hidden = !text;
    }
    var field = input.closest(".field");
    if (field) { field.classList.toggle("field--invalid", !!text); }
    if (!text) {
      input.removeAttribute("aria-invalid");
      if (document.getElementById(input.id + "-hint")) {
        input.setAttribute("aria-describedby", input.id + "-hint");
      } else {
        input.removeAttribute("aria-describedby");
      }
      return;
    }
    var error = document.createElement("p");
    error.className = "field__error";
    error.id = input.id + "-error";
    error.textContent = text;
    if (slot) { slot.appendChild(error); }
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", error.id);
  }

  function busy(button, on) {
    if (!button) { return; }
    button.disabled = on;
    if (on) { button.setAttribute("aria-busy", "true"); } else { button.removeAttribute("aria-busy"); }
  }

  /* ---- adding a passkey ------------------------------------------------------------- */

  // The fields the server checks before the browser is asked (web/passkeys.py).
  var REGISTER_FIELDS = ["name", "current_password"];

  function register(form) {
    var inputs = REGISTER_FIELDS.map(function (name) { return form.elements.namedItem(name); });
    var button = form.querySelector("button[type=submit]");
    var token = form.getAttribute("data-csrf-token");
    var body = {};
    showError(form, "");
    inputs.forEach(function (input) {
      showFieldError(form, input, "");
      body[input.name] = input.value;
    });
    busy(button, true);
    post(form.getAttribute("data-options-url"), token, body)
      .then(function (answer) {
        return navigator.credentials.create({ publicKey: creationOptions(answer.publicKey) });
      })
      .then(function (credential) {
        return post(form.getAttribute("data-verify-url"), token, { credential: credentialJSON(credential) });
      })
      .then(function (answer) {
        replaceSection(form, answer.html);
      })
      .catch(function (error) {
        busy(button, false);
        var invalid = error instanceof Refusal && error.reason === "invalid" ? inputs.filter(function (input) {
          return error.errors[input.name];
        }) : [];
        if (!invalid.length) {
          showError(form, message(form, reasonOf(error)));
          return;
        }
        invalid.forEach(function (input) { showFieldError(form, input, error.errors[input.name]); });
        invalid[0].focus();
      });
  }

  // The section again, from the server: the new passkey listed, and the recovery codes when
  // it was the login's first factor (shown this once). Swapped by htmx when it is there, so
  // the new content is set up like any other (boosted forms, htmx:afterSettle handlers).
  function replaceSection(form, html) {
    var section = form.closest("#passkeys");
    if (!section) { window.location.reload(); return; }
    if (window.htmx && window.htmx.swap) {
      window.htmx.swap(section, html, { swapStyle: "outerHTML" });
    } else {
      var template = document.createElement("template");
      template.innerHTML = html;
      section.replaceWith(template.content);
      setUp(document);
    }
    var fresh = document.getElementById("passkeys");
    var note = fresh && (fresh.querySelector("#passkey-recovery-codes") || fresh.querySelector("#passkey-added"));
    if (note) {
      note.setAttribute("tabindex", "-1");
      note.focus();
    }
  }

  /* ---- logging in ------------------------------------------------------------------- */

  function logIn(box, button) {
    var token = box.getAttribute("data-csrf-token");
    showError(box, "");
    busy(button, true);
    post(box.getAttribute("data-options-url"), token, {})
      .then(function (answer) {
        return navigator.credentials.get({ publicKey: requestOptions(answer.publicKey) });
      })
      .then(function (credential) {
        var next = box.getAttribute("data-next") || "";
        return post(box.getAttribute("data-verify-url"), token, { credential: credentialJSON(credential), next: next });
      })
      .then(function (answer) {
        window.location.assign(answer.redirect);
      })
      .catch(function (error) {
        busy(button, false);
        showError(box, message(box, reasonOf(error)));
      });
  }

  /* ---- wiring ----------------------------------------------------------------------- */

  function setUp(root) {
    var can = supported();
    root.querySelectorAll("[data-passkey-available], [data-passkey-login]").forEach(function (element) {
      element.hidden = !can;
    });
    root.querySelectorAll("[data-passkey-unsupported]").forEach(function (element) {
      element.hidden = can;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-passkey-register")) { return; }
    event.preventDefault();
    if (supported()) { register(form); }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-passkey-start]") : null;
    var box = button && button.closest("[data-passkey-login]");
    if (!box || !supported()) { return; }
    event.preventDefault();
    logIn(box, button);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
  // Boosted navigations swap the body: set up the new content too.
  document.addEventListener("htmx:afterSettle", function (event) { setUp(event.target); });
})();
