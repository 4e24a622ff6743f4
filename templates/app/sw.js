{# The portal's service worker (web/app_shell.py serves it at /sw.js; scope "/").

   It caches ONLY the versioned static files under /static/ and the offline page, which is
   the same for everybody and holds no personal data. Pages, /api, downloads and everything
   else go to the network as usual and are never stored; without a connection, the offline
   page shows instead of a page. A new release has a new version: its
   cache replaces the old one.

   Push: a message (title, a short neutral text, the address to open; see
   services/push_send.py) becomes a notification; clicking it opens the address. #}
"use strict";

var VERSION = "{{ static_version }}";
var CACHE = "static-" + VERSION;
var OFFLINE_URL = "/app/offline?v=" + VERSION;
var PRECACHE = {{ precache|tojson }};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(PRECACHE.concat([OFFLINE_URL])); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (keys) {
        return Promise.all(keys.filter(function (key) { return key !== CACHE; })
          .map(function (key) { return caches.delete(key); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

function isStatic(url) {
  return url.origin === self.location.origin && url.pathname.indexOf("/static/") === 0;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (isStatic(url)) {
    event.respondWith(
      caches.match(request).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.ok) {
            var copy = response.clone();
            caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
          }
          return response;
        });
      })
    );
    return;
  }
  // Pages go to the network untouched (the browser's own handling of PDFs, downloads and
  // their headers included); only without a connection does the offline page answer.
  if (request.mode === "navigate" && !self.navigator.onLine) {
    event.respondWith(caches.match(OFFLINE_URL));
  }
});

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = {}; }
  var url = typeof data.url === "string" && data.url.charAt(0) === "/" ? data.url : "/";
  event.waitUntil(self.registration.showNotification(data.title || "", {
    body: data.body || "",
    icon: "/app/icon-192.png",
    badge: "/app/icon-192.png",
    data: { url: url }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.openWindow(url));
});
