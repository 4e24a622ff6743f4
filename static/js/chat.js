/*
 * chat.js: the chat pages, the customer's and the staff's (templates/chat/_conversation.html).
 * Does nothing on a page without #chat. No inline handlers, no eval (the CSP forbids them).
 *
 * - Messages are placed by their id (the sender's key, `m-<key>`): one the page holds already
 *   (sent from here, or received again after a reconnect) replaces itself, so none shows twice.
 * - The page's one live stream (htmx's SSE extension on #live, web/chat_live.py) brings
 *   `chat` (new messages), `chatmarks` (sent / delivered / read) and `chatgone`.
 * - The composer sends with htmx; every message gets a fresh key, shows at once as "sending",
 *   and a message that did not arrive can be sent again with the same key (stored once).
 * - What the other side wrote is told as read while the page is visible, at most once a second.
 * - Times show in the browser's time zone and the page's language.
 */
(function () {
  "use strict";

  var READ_EVERY_MS = 1000;
  var NEAR_BOTTOM_PX = 48;
  var hooked = typeof WeakSet === "function" ? new WeakSet() : null;
  var finePointer = window.matchMedia ? window.matchMedia("(pointer: fine)") : null;
  var outbox = {};  // key -> {data: FormData, text, fileName}: messages not yet confirmed

  function chatBox() { return document.getElementById("chat"); }
  function messageList() { return document.getElementById("chat-messages"); }
  function composer() { return document.getElementById("chat-composer"); }

  function words() {
    var box = chatBox();
    try { return JSON.parse((box && box.getAttribute("data-labels")) || "{}"); } catch (error) { return {}; }
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; } catch (error) { return ""; }
  }

  // A fresh key per message. randomUUID exists only in secure contexts (https, localhost):
  // elsewhere the same kind of UUID from getRandomValues, never a key the page was given.
  function newKey() {
    var crypto = window.crypto;
    if (!crypto) { return ""; }
    if (typeof crypto.randomUUID === "function") { return crypto.randomUUID(); }
    if (typeof crypto.getRandomValues !== "function") { return ""; }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  /* ------------------------------------------------------------------ *
   * Scrolling: the list scrolls (or, in a layout that lets it grow, the page)
   * ------------------------------------------------------------------ */
  function scrollerOf(list) {
    var overflow = window.getComputedStyle(list).overflowY;
    return overflow === "auto" || overflow === "scroll" ? list : (document.scrollingElement || document.documentElement);
  }

  function nearBottom(scroller) {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
  }

  function toBottom(scroller) { scroller.scrollTop = scroller.scrollHeight; }

  /* ------------------------------------------------------------------ *
   * Times in the browser's zone and language
   * ------------------------------------------------------------------ */
  function localizeTimes(root) {
    if (!window.Intl || !Intl.DateTimeFormat) { return; }
    var lang = document.documentElement.lang || undefined;
    var today = new Date().toDateString();
    var timeOnly, dateTime;
    try {
      timeOnly = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" });
      dateTime = new Intl.DateTimeFormat(lang, {
        day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit"
      });
    } catch (error) { return; }
    Array.prototype.forEach.call(root.querySelectorAll("time[datetime]"), function (time) {
      var when = new Date(time.getAttribute("datetime"));
      if (isNaN(when.getTime())) { return; }
      time.textContent = (when.toDateString() === today ? timeOnly : dateTime).format(when);
      time.title = dateTime.format(when);
    });
  }

  /* ------------------------------------------------------------------ *
   * Placing messages
   * ------------------------------------------------------------------ */
  function idOf(item) { return parseInt(item.getAttribute("data-id") || "", 10) || 0; }

  // After the last message with a smaller id; messages still on their way stay last.
  function insertInOrder(list, item, id) {
    for (var other = list.lastElementChild; other; other = other.previousElementSibling) {
      var otherId = idOf(other);
      if (otherId && otherId < id) { other.after(item); return; }
    }
    list.prepend(item);
  }

  function placeMessages(html) {
    var box = chatBox(), list = messageList();
    if (!box || !list || !html) { return; }
    var scroller = scrollerOf(list);
    var stick = nearBottom(scroller);
    var template = document.createElement("template");
    template.innerHTML = html;
    var last = parseInt(box.getAttribute("data-last") || "0", 10) || 0;
    var theirs = false, mine = false;
    Array.prototype.forEach.call(template.content.querySelectorAll("li.chat-msg"), function (item) {
      var id = idOf(item);
      var held = item.id ? document.getElementById(item.id) : null;
      if (held && idOf(held)) {
        held.replaceWith(item);  // the same message again: its marks and time may be newer
      } else {
        if (held) { held.remove(); }  // it was on its way: now it is stored
        item.classList.add("chat-msg--new");
        insertInOrder(list, item, id);
        if (item.classList.contains("chat-msg--mine")) { mine = true; } else { theirs = true; }
      }
      if (id > last) { last = id; }
      localizeTimes(item);
      if (window.htmx) { window.htmx.process(item); }
    });
    box.setAttribute("data-last", String(last));
    var empty = document.getElementById("chat-empty");
    if (empty && list.querySelector("li.chat-msg")) { empty.remove(); }
    if (stick || mine) { toBottom(scrollerOf(list)); }
    if (theirs) { readSoon(); }
  }

  /* ------------------------------------------------------------------ *
   * Marks: sent / delivered / read of the own side's messages
   * ------------------------------------------------------------------ */
  function updateMarks(json) {
    var box = chatBox();
    if (!box) { return; }
    var marks;
    try { marks = JSON.parse(json); } catch (error) { return; }
    // The customer's messages are read by the office, the office's by the customer.
    var staff = box.getAttribute("data-side") === "staff";
    var read = (staff ? marks.customer_read : marks.staff_read) || 0;
    var delivered = (staff ? marks.customer_delivered : marks.staff_delivered) || 0;
    var label = words();
    Array.prototype.forEach.call(box.querySelectorAll("li.chat-msg--mine[data-seq]"), function (item) {
      var seq = parseInt(item.getAttribute("data-seq"), 10) || 0;
      var mark = seq <= read ? "read" : (seq <= delivered ? "delivered" : "sent");
      var shown = item.querySelector(".chat-msg__mark");
      if (!shown || shown.getAttribute("data-mark") === mark) { return; }
      shown.setAttribute("data-mark", mark);
      shown.className = "chat-msg__mark chat-msg__mark--" + mark;
      shown.textContent = label[mark] || mark;
    });
  }

  /* ------------------------------------------------------------------ *
   * The chat is gone (archived, or the rights to it): say so, stop writing
   * ------------------------------------------------------------------ */
  function chatGone() {
    var box = chatBox();
    if (!box || box.hasAttribute("data-gone")) { return; }
    box.setAttribute("data-gone", "");
    var label = words();
    var notice = document.createElement("div");
    notice.className = "alert alert--info chat__gone";
    notice.id = "chat-gone";
    notice.setAttribute("role", "status");
    var text = document.createElement("p");
    text.textContent = label.gone || "";
    var again = document.createElement("button");
    again.type = "button";
    again.className = "btn btn--secondary btn--small";
    again.textContent = label.reload || "";
    again.addEventListener("click", function () { window.location.reload(); });
    text.appendChild(document.createElement("br"));
    text.appendChild(again);
    notice.appendChild(text);
    var form = composer();
    if (form) {
      Array.prototype.forEach.call(form.elements, function (field) { field.disabled = true; });
      form.before(notice);
    } else {
      box.appendChild(notice);
    }
  }

  /* ------------------------------------------------------------------ *
   * The live stream: hook the chat's events onto each new EventSource once
   * ------------------------------------------------------------------ */
  document.addEventListener("htmx:sseOpen", function (evt) {
    var source = evt.detail && evt.detail.source;
    if (!source || !chatBox()) { return; }
    if (hooked ? hooked.has(source) : source._chatHooked) { return; }  // a reconnect opens again
    if (hooked) { hooked.add(source); } else { source._chatHooked = true; }
    source.addEventListener("chat", function (event) { placeMessages(event.data); });
    source.addEventListener("chatmarks", function (event) { updateMarks(event.data); });
    source.addEventListener("chatgone", chatGone);
  });

  /* ------------------------------------------------------------------ *
   * Reading: tell the server while the page is visible, at most once a second
   * ------------------------------------------------------------------ */
  var unread = false, readTimer = null, lastRead = 0;

  function readSoon() {
    unread = true;
    if (document.visibilityState !== "visible" || readTimer) { return; }
    var wait = Math.max(0, lastRead + READ_EVERY_MS - Date.now());
    readTimer = window.setTimeout(tellRead, wait);
  }

  function tellRead() {
    readTimer = null;
    var box = chatBox();
    var url = box && box.getAttribute("data-read-url");
    if (!url || !unread || document.visibilityState !== "visible") { return; }
    unread = false;
    lastRead = Date.now();
    fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRF-Token": csrfToken(), "HX-Request": "true" }
    }).catch(function () { unread = true; });
  }

  document.addEventListener("visibilitychange", function () {
    if (unread && document.visibilityState === "visible") { readSoon(); }
  });

  /* ------------------------------------------------------------------ *
   * The composer
   * ------------------------------------------------------------------ */
  function bodyField() { return document.getElementById("chat-body"); }
  function fileField() { return document.getElementById("chat-file"); }

  function grow(field) {
    if (!field) { return; }
    field.style.height = "auto";  // CSSOM, which the CSP allows (no style attributes in HTML)
    field.style.height = field.scrollHeight + 2 + "px";
  }

  function chosenFile() {
    var input = fileField();
    return input && input.files && input.files.length ? input.files[0].name : "";
  }

  // The chosen photo or PDF, named below the field, with a button to drop it again.
  function showChosen() {
    var form = composer();
    if (!form) { return; }
    var shown = document.getElementById("chat-chosen");
    var name = chosenFile();
    if (!name) { if (shown) { shown.remove(); } return; }
    if (!shown) {
      shown = document.createElement("p");
      shown.className = "chat__chosen";
      shown.id = "chat-chosen";
      form.appendChild(shown);
    }
    shown.textContent = "";
    var label = document.createElement("span");
    label.textContent = name;
    var drop = document.createElement("button");
    drop.type = "button";
    drop.className = "btn btn--ghost btn--small";
    drop.textContent = "×";
    drop.setAttribute("aria-label", (words().unattach || "") + ": " + name);
    drop.addEventListener("click", function () {
      fileField().value = "";
      showChosen();
      bodyField().focus();
    });
    shown.appendChild(label);
    shown.appendChild(drop);
  }

  function showError(html) {
    var slot = document.getElementById("chat-body-error");
    var field = bodyField();
    if (!slot || !field) { return; }
    var text = "";
    if (html) {
      var template = document.createElement("template");
      template.innerHTML = html;
      var sent = template.content.querySelector("#chat-body-error");
      text = sent ? sent.textContent.trim() : "";
    }
    slot.textContent = text;
    slot.hidden = !text;
    var wrap = field.closest(".field");
    if (wrap) { wrap.classList.toggle("field--invalid", !!text); }
    if (text) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", "chat-body-error");
    } else {
      field.removeAttribute("aria-invalid");
    }
  }

  // The message at once, as "sending", under its key (the stored one replaces it).
  function showPending(key, text, fileName) {
    var list = messageList();
    if (!list) { return; }
    var item = document.getElementById("m-" + key);
    if (!item) {
      item = document.createElement("li");
      item.id = "m-" + key;
      item.className = "chat-msg chat-msg--mine chat-msg--new";
      var bubble = document.createElement("div");
      bubble.className = "chat-msg__bubble";
      if (text.trim()) {
        var body = document.createElement("div");
        body.className = "chat-msg__body";
        text.split("\n").forEach(function (line, index) {
          if (index) { body.appendChild(document.createElement("br")); }
          body.appendChild(document.createTextNode(line));
        });
        bubble.appendChild(body);
      }
      if (fileName) {
        var file = document.createElement("p");
        file.className = "chat-msg__file";
        file.textContent = fileName;
        bubble.appendChild(file);
      }
      var meta = document.createElement("footer");
      meta.className = "chat-msg__meta";
      var mark = document.createElement("span");
      mark.className = "chat-msg__mark";
      meta.appendChild(mark);
      bubble.appendChild(meta);
      item.appendChild(bubble);
      list.appendChild(item);
      var empty = document.getElementById("chat-empty");
      if (empty) { empty.remove(); }
    }
    setPending(key, "sending");
    toBottom(scrollerOf(list));
  }

  function setPending(key, state) {
    var item = document.getElementById("m-" + key);
    if (!item || idOf(item)) { return; }
    var label = words();
    item.classList.toggle("chat-msg--pending", state === "sending");
    item.classList.toggle("chat-msg--failed", state === "failed");
    var mark = item.querySelector(".chat-msg__mark");
    mark.textContent = state === "failed" ? label.failed || "" : label.sending || "";
    var retry = item.querySelector(".chat-msg__retry");
    if (state === "failed" && !retry) {
      retry = document.createElement("button");
      retry.type = "button";
      retry.className = "btn btn--secondary btn--small chat-msg__retry";
      retry.textContent = label.retry || "";
      retry.addEventListener("click", function () { resend(key); });
      mark.after(retry);
    } else if (state !== "failed" && retry) {
      retry.remove();
    }
  }

  function removePending(key) {
    var item = document.getElementById("m-" + key);
    if (item && !idOf(item)) { item.remove(); }
  }

  // What the server answered to a message (htmx's request, or a retry's fetch).
  function settle(key, status, html) {
    var sent = outbox[key];
    if (status >= 200 && status < 300) {
      delete outbox[key];
      var box = chatBox();
      // The chat's first message, whose answer (go to the new page) was lost: its retry was
      // stored; the page must load again to follow the chat live.
      if (box && !box.getAttribute("data-chat")) { window.location.reload(); return; }
      showError("");
      placeMessages(html);
      return;
    }
    if (status === 422) {  // refused, nothing stored: the text back into the field
      delete outbox[key];
      removePending(key);
      var field = bodyField();
      if (sent && field && !field.value) { field.value = sent.text; grow(field); }
      showError(html);
      if (field) { field.focus(); }
      return;
    }
    setPending(key, "failed");  // no answer (or an error page): the same key again, stored once
  }

  function resend(key) {
    var sent = outbox[key], form = composer();
    if (!sent || !form) { return; }
    setPending(key, "sending");
    fetch(form.getAttribute("hx-post") || form.action, {
      method: "POST", body: sent.data, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrfToken(), "HX-Request": "true" }
    }).then(function (response) {
      var moved = response.headers.get("HX-Redirect");
      if (moved && response.ok) { window.location.assign(moved); return null; }
      return response.text().then(function (html) { settle(key, response.status, html); });
    }).catch(function () { settle(key, 0, ""); });
  }

  // Each message its own key; the form is emptied at once (the message shows as sending).
  document.addEventListener("htmx:configRequest", function (evt) {
    var form = evt.detail.elt;
    if (!form || form.id !== "chat-composer") { return; }
    var key = newKey();
    var field = bodyField();
    var text = field ? field.value : "";
    var fileName = chosenFile();
    if (!key) { return; }  // an old browser: the server makes the key
    evt.detail.parameters.client_key = key;
    form._chatKey = key;
    if (!text.trim() && !fileName) { return; }  // the server says what is missing
    var data = new FormData();
    (evt.detail.formData || new FormData(form)).forEach(function (value, name) { data.append(name, value); });
    data.set("client_key", key);
    outbox[key] = { data: data, text: text, fileName: fileName };
    showPending(key, text, fileName);
    showError("");
    if (field) { field.value = ""; grow(field); }
    if (fileField()) { fileField().value = ""; showChosen(); }
  });

  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = evt.detail.elt;
    if (!form || form.id !== "chat-composer") { return; }
    var key = form._chatKey;
    form._chatKey = null;
    var xhr = evt.detail.xhr;
    if (xhr && xhr.getResponseHeader("HX-Redirect")) { return; }  // the first message: a new page
    var status = xhr ? xhr.status : 0;
    if (!key) {
      if (status === 422) { showError(xhr.responseText); }
      else if (status >= 200 && status < 300) { placeMessages(xhr.responseText); }
      return;
    }
    settle(key, status, status ? xhr.responseText : "");
  });

  // Enter sends, Shift+Enter makes a new line (with a mouse and keyboard; a phone's Enter is
  // a new line, its send button sends). The field grows with the text.
  document.addEventListener("keydown", function (evt) {
    var field = evt.target;
    if (!field || field.id !== "chat-body" || evt.key !== "Enter") { return; }
    if (evt.shiftKey || evt.isComposing || evt.altKey || evt.ctrlKey || evt.metaKey) { return; }
    if (!(finePointer && finePointer.matches)) { return; }
    evt.preventDefault();
    var form = field.form;
    if (form && typeof form.requestSubmit === "function") { form.requestSubmit(); }
  });

  document.addEventListener("input", function (evt) {
    if (evt.target && evt.target.id === "chat-body") { grow(evt.target); }
  });

  document.addEventListener("change", function (evt) {
    if (evt.target && evt.target.id === "chat-file") { showChosen(); }
  });

  /* ------------------------------------------------------------------ *
   * A chat page as it loads (or is swapped in by a boosted link)
   * ------------------------------------------------------------------ */
  function init() {
    var box = chatBox(), list = messageList();
    if (!box || !list || box._chatReady) { return; }
    box._chatReady = true;
    localizeTimes(box);
    toBottom(scrollerOf(list));
    var field = bodyField();
    if (field && field.value) { grow(field); }
    // Seen: what the page shows is read (the page itself, a GET, changes nothing).
    if (list.querySelector("li.chat-msg")) { readSoon(); }
  }

  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:load", init);
  if (document.readyState !== "loading") { init(); }

  window.AppChat = { placeMessages: placeMessages, updateMarks: updateMarks };
})();
