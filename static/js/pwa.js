/* The portal as an app (web/app_shell.py) and web push (web/push.py).

   - The service worker (/sw.js) is registered on the portal's pages (body.layout-portal),
     and on the notification page when push is switched on.
   - The install hint (#install-hint, templates/portal/layout.html) shows on phones while the
     portal is not opened as an app: with an "Install" button where the browser offers
     beforeinstallprompt, else the steps for iOS Safari or other browsers. Closing it is
     remembered in localStorage.
   - The push section (#push, templates/app/_push.html) subscribes this browser through the
     PushManager with the installation's public key and sends the subscription (endpoint and
     keys, never more) with the CSRF token; switching off unsubscribes and tells the server.
   - Logging out takes this device's subscription along (a shared device must not go on
     receiving the last user's pushes): unsubscribed in the browser (the push service then
     answers 410 and the server forgets it too) and POST /account/push/off; the logout form
     is sent when that is done, or after LOGOUT_WAIT ms whatever happened.
   No inline script, no eval, no dependencies. */
(function () {
  "use strict";

  var DISMISSED = "install-hint-dismissed";
  var installPrompt = null;

  function canWork() { return "serviceWorker" in navigator; }

  function register() {
    return navigator.serviceWorker.register("/sw.js", { scope: "/" });
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch (error) { return ""; }
  }

  function standalone() {
    return window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
  }

  function phone() { return window.matchMedia("(max-width: 640px)").matches; }

  function ios() { return /iphone|ipad|ipod/i.test(navigator.userAgent); }

  function remembered() {
    try { return window.localStorage.getItem(DISMISSED) === "1"; } catch (error) { return false; }
  }

  function showHint() {
    var hint = document.getElementById("install-hint");
    if (!hint || standalone() || !phone() || remembered() ||
        document.body.classList.contains("view-as")) { return; }  // staff viewing as: never
    var button = document.getElementById("install-hint-install");
    var iosSteps = document.getElementById("install-hint-ios");
    var otherSteps = document.getElementById("install-hint-other");
    if (button) { button.hidden = !installPrompt; }
    if (iosSteps) { iosSteps.hidden = !!installPrompt || !ios(); }
    if (otherSteps) { otherSteps.hidden = !!installPrompt || ios(); }
    hint.hidden = false;
  }

  function hideHint() {
    var hint = document.getElementById("install-hint");
    if (hint) { hint.hidden = true; }
  }

  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    installPrompt = event;
    showHint();
  });

  window.addEventListener("appinstalled", function () {
    installPrompt = null;
    hideHint();
  });

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    if (target.closest("#install-hint-dismiss")) {
      try { window.localStorage.setItem(DISMISSED, "1"); } catch (error) { /* private mode */ }
      hideHint();
    } else if (target.closest("#install-hint-install") && installPrompt) {
      installPrompt.prompt();
      installPrompt.userChoice.then(function () { installPrompt = null; hideHint(); });
    } else if (target.closest("#push-enable")) {
      enablePush();
    } else if (target.closest("#push-disable")) {
      disablePush();
    }
  });

  /* ---- push ------------------------------------------------------------------------ */

  function section() { return document.getElementById("push"); }

  function say(name) {
    var box = section();
    var status = document.getElementById("push-status");
    if (box && status) { status.textContent = box.getAttribute("data-msg-" + name) || ""; }
  }

  function toKey(text) {
    var base64 = String(text).replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = window.atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) { bytes[i] = binary.charCodeAt(i); }
    return bytes;
  }

  function pushWorks() {
    return canWork() && "PushManager" in window && "Notification" in window;
  }

  function showButtons(subscribed) {
    var on = document.getElementById("push-enable");
    var off = document.getElementById("push-disable");
    if (on) { on.hidden = subscribed; }
    if (off) { off.hidden = !subscribed; }
  }

  function send(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) { throw new Error("refused"); }
      return response;
    });
  }

  function enablePush() {
    var box = section();
    if (!box || !pushWorks()) { say("unsupported"); return; }
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { say("denied"); return null; }
      var key = fetch(box.getAttribute("data-push-key"), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("no key"); }
          return response.json();
        });
      return register().then(function () { return Promise.all([navigator.serviceWorker.ready, key]); })
        .then(function (both) {
          return both[0].pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: toKey(both[1].key)
          });
        })
        .then(function (subscription) {
          var data = subscription.toJSON();
          return send(box.getAttribute("data-push-on"), { endpoint: data.endpoint, keys: data.keys });
        })
        .then(function () { window.location.reload(); });
    }).catch(function () { say("failed"); });
  }

  function disablePush() {
    var box = section();
    if (!box || !pushWorks()) { return; }
    navigator.serviceWorker.getRegistration("/").then(function (registration) {
      return registration ? registration.pushManager.getSubscription() : null;
    }).then(function (subscription) {
      if (!subscription) { return null; }
      var endpoint = subscription.endpoint;
      return subscription.unsubscribe().then(function () {
        return send(box.getAttribute("data-push-off"), { endpoint: endpoint });
      });
    }).then(function () { window.location.reload(); })
      .catch(function () { say("failed"); });
  }

  function setUpPush() {
    if (!section()) { return; }
    if (!pushWorks()) { say("unsupported"); return; }
    if (Notification.permission === "denied") { say("denied"); }
    navigator.serviceWorker.getRegistration("/").then(function (registration) {
      return registration ? registration.pushManager.getSubscription() : null;
    }).then(function (subscription) {
      showButtons(!!subscription);
      say(subscription ? "on" : "off");
    }).catch(function () { showButtons(false); });
  }

  var LOGOUT_WAIT = 1500;
  var loggingOut = false;

  function forgetPush(token) {
    return navigator.serviceWorker.getRegistration("/").then(function (registration) {
      return registration ? registration.pushManager.getSubscription() : null;
    }).then(function (subscription) {
      if (!subscription) { return null; }
      var told = fetch("/account/push/off", {
        method: "POST",
        credentials: "same-origin",
        keepalive: true,
        headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
        body: JSON.stringify({ endpoint: subscription.endpoint })
      });
      return Promise.all([subscription.unsubscribe(), told]);
    });
  }

  document.addEventListener("submit", function (event) {  // capture: before htmx's boost
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || loggingOut || !pushWorks() ||
        new URL(form.action, window.location.href).pathname !== "/logout") { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    loggingOut = true;
    var field = form.querySelector('input[name="csrf_token"]');
    var done = function () { form.submit(); };
    var waited = new Promise(function (resolve) { window.setTimeout(resolve, LOGOUT_WAIT); });
    var forgot;
    try { forgot = forgetPush(field ? field.value : csrfToken()); } catch (error) { forgot = null; }
    Promise.race([forgot || Promise.resolve(), waited]).then(done, done);
  }, true);

  var pending = false;

  function init() {
    pending = false;
    if (canWork() && document.body.classList.contains("layout-portal") &&
        !document.body.classList.contains("view-as")) {
      register().catch(function () { /* no app shell: the portal works as before */ });
    }
    showHint();
    setUpPush();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  document.addEventListener("htmx:load", function () {  // a boosted page came in: once
    if (!pending) { pending = true; window.setTimeout(init, 0); }
  });
}());
