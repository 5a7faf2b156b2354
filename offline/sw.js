// fieldapp service worker. For now: show Web Push notifications and open the alert on a tap.
// The offline cache of the day's briefings builds on this file.
"use strict";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let message = {title: "fieldapp", body: "Something needs you. Open fieldapp.", url: "/inbox"};
  try {
    message = Object.assign(message, event.data ? event.data.json() : {});
  } catch (error) {
    // A message we cannot read still tells the officer to look at the inbox.
  }
  event.waitUntil(self.registration.showNotification(message.title, {
    body: message.body, data: {url: message.url}, tag: message.url,
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || "/inbox",
                      self.location.origin).href;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({type: "window", includeUncontrolled: true});
    for (const client of windows) {
      if (client.url === url && "focus" in client) return client.focus();
    }
    return self.clients.openWindow(url);
  })());
});
