// fieldapp service worker: the app with no signal, and Web Push notifications.
//
// Privacy rules (docs/offline.md): the only pages kept are those the server lists for the
// signed-in operative (their own visits today and tomorrow); each is deleted after its day;
// a request from htmx is never kept; signing out deletes them all.
"use strict";
importScripts("/static/js/outbox.js");

const VERSION = "__VERSION__";  // filled in by the server from the shell files' contents
const SHELL = ["__SHELL__"];
const SHELL_CACHE = "fieldapp-shell-" + VERSION;
const PAGES_CACHE = "fieldapp-pages-";  // + the user id
const INDEX_URL = "/__saved-pages__";   // the list of kept pages, kept beside them
const NETWORK_WAIT_MS = 4000;
const SAVED_AT = "X-Fieldapp-Saved-At";
const SAVED_AT_SLOT = '<p class="saved-at" id="saved-at" hidden></p>';
// The no-signal page's list, holding a sentence until it is filled in here.
const OFFLINE_LIST_SLOT = /<ul class="link-list" id="offline-pages">[\s\S]*?<\/ul>/;
const SIGNAL = new BroadcastChannel("fieldapp-offline");

// ---- Install and update ----
self.addEventListener("install", (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("fieldapp-shell-") && name !== SHELL_CACHE) await caches.delete(name);
    }
    await deleteExpired(localDay());
    await self.clients.claim();
  })());
});

async function cacheShell() {
  // Fetched without cookies: the shell holds nobody's data.
  const cache = await caches.open(SHELL_CACHE);
  await cache.addAll(SHELL.map((url) => new Request(url, {credentials: "omit"})));
}

// ---- Days, in the app's time zone ----
function localDay(date) {
  return new Intl.DateTimeFormat("en-CA", {timeZone: "Europe/London", year: "numeric",
    month: "2-digit", day: "2-digit"}).format(date || new Date());
}

function clockTime(iso) {
  return new Date(iso).toLocaleTimeString("en-GB", {hour: "2-digit", minute: "2-digit",
    timeZone: "Europe/London"});
}

// ---- The kept pages and their index ----
async function readIndex() {
  const response = await caches.match(INDEX_URL);
  return response ? response.json() : {user: null, pages: []};
}

async function writeIndex(index) {
  const cache = await caches.open(PAGES_CACHE + index.user);
  await cache.put(INDEX_URL, new Response(JSON.stringify(index),
    {headers: {"Content-Type": "application/json"}}));
}

async function deleteAllPages() {
  for (const name of await caches.keys()) {
    if (name.startsWith(PAGES_CACHE)) await caches.delete(name);
  }
}

// Deletes every kept page whose day is before `today`. Runs on start, on each refresh, and
// before a kept page is shown.
async function deleteExpired(today) {
  const index = await readIndex();
  if (!index.user) return;
  const cache = await caches.open(PAGES_CACHE + index.user);
  const keep = [];
  for (const page of index.pages) {
    if (page.day && page.day < today) await cache.delete(page.url);
    else keep.push(page);
  }
  index.pages = keep;
  await writeIndex(index);
}

async function keptPage(url) {
  const index = await readIndex();
  const page = index.pages.find((p) => p.url === url);
  if (!page) return null;
  if (page.day && page.day < localDay()) {
    await deleteExpired(localDay());
    return null;
  }
  return {page: page, cache: await caches.open(PAGES_CACHE + index.user)};
}

async function keep(cache, url, response) {
  const headers = new Headers(response.headers);
  headers.set(SAVED_AT, new Date().toISOString());
  const copy = new Response(await response.blob(), {status: response.status, headers: headers});
  await cache.put(url, copy);
}

// Fetches the list of pages for the signed-in operative and keeps each of them. Anyone else
// (signed out, an officer) keeps nothing.
let lastRefresh = 0;
async function refresh() {
  if (Date.now() - lastRefresh > 20000) {
    lastRefresh = Date.now();
    // No signal after all, or the server did not answer: say what is kept from before.
    await fetchPages().catch(() => {});
  }
  const index = await readIndex();
  if (!index.user) return;
  const visits = index.pages.filter((p) => /^\/visits\/\d+$/.test(p.url)).length;
  SIGNAL.postMessage({type: "saved", visits: visits});
}

async function fetchPages() {
  const response = await fetch("/api/offline-pack", {credentials: "same-origin",
    redirect: "error", cache: "no-store"});
  if (response.status === 401 || response.status === 403) {
    await deleteAllPages();
    return;
  }
  if (!response.ok) return;
  const pack = await response.json();
  const before = await readIndex();
  if (before.user !== pack.user) await deleteAllPages();
  const cache = await caches.open(PAGES_CACHE + pack.user);
  const kept = [];
  for (const page of pack.pages) {
    const answer = await fetch(page.url, {credentials: "same-origin", redirect: "error",
      cache: "no-store"});
    if (answer.ok) {
      await keep(cache, page.url, answer);
      kept.push(page);
    }
  }
  for (const old of before.pages) {
    if (!kept.some((p) => p.url === old.url)) await cache.delete(old.url);
  }
  await writeIndex({user: pack.user, pages: kept});
  await deleteExpired(localDay());
}

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "refresh") {
    event.waitUntil(refresh().catch(() => {}));
  }
});

// ---- Answering requests ----
self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === "/logout") {
    event.respondWith(signOut(request));
    return;
  }
  // htmx answers are fragments of a page at one moment: never kept, never served from here.
  if (request.method !== "GET" || request.headers.has("HX-Request")) return;
  if (SHELL.includes(url.pathname) && url.pathname !== "/offline") {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode === "navigate" || url.pathname === "/me/photo") {
    event.respondWith(networkFirst(event, url.pathname + url.search));
  }
});

function within(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no answer in time")), ms);
    promise.then((response) => { clearTimeout(timer); resolve(response); },
      (error) => { clearTimeout(timer); reject(error); });
  });
}

// A kept page is fetched fresh when there is signal (so an officer's change shows at once) and
// shown from the phone when the network fails or is too slow. Other pages: network only.
async function networkFirst(event, path) {
  const kept = await keptPage(path);
  const network = fetch(event.request);
  if (!kept) {
    try {
      return await network;
    } catch (error) {
      return event.request.mode === "navigate" ? offlinePage() : Response.error();
    }
  }
  // Whatever happens, a late answer still refreshes the kept copy.
  event.waitUntil(network.then((fresh) => updateKept(kept, path, fresh.clone()))
    .catch(() => {}));
  try {
    const fresh = await within(network, NETWORK_WAIT_MS);
    // A redirect (to sign in again) and "not yours any more" are answers, not a lost signal.
    if (fresh.ok || fresh.type === "opaqueredirect" || [403, 404].includes(fresh.status)) {
      return fresh;
    }
    throw new Error("server answered " + fresh.status);
  } catch (error) {
    return savedCopy(kept, path);
  }
}

async function updateKept(kept, path, fresh) {
  if (fresh.ok && !fresh.redirected) await keep(kept.cache, path, fresh);
  // A visit that is no longer this operative's (cancelled, moved) leaves the phone at once.
  if (fresh.status === 404 || fresh.status === 403) await kept.cache.delete(path);
}

async function savedCopy(kept, path) {
  const copy = await kept.cache.match(path);
  if (!copy) return offlinePage();
  if (!(copy.headers.get("Content-Type") || "").startsWith("text/html")) return copy;
  const note = '<p class="saved-at" id="saved-at">Saved at ' +
    clockTime(copy.headers.get(SAVED_AT)) + ". No signal, so this is the copy on this phone.</p>";
  const html = (await copy.text()).replace(SAVED_AT_SLOT, note);
  return new Response(html, {status: 200, headers: copy.headers});
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
}

async function offlinePage() {
  const shell = await caches.match("/offline");
  if (!shell) return new Response("No signal, and this page is not saved on this phone.",
    {status: 503, headers: {"Content-Type": "text/plain; charset=utf-8"}});
  await deleteExpired(localDay());
  const pages = (await readIndex()).pages.filter((p) => p.title);
  const items = pages.length ? pages.map((p) => '<li><a href="' + escapeHtml(p.url) + '">' +
    escapeHtml(p.title) + "</a></li>").join("")
    : "<li>Nothing yet. Open My day once with signal, and your visits are saved here.</li>";
  const html = (await shell.text()).replace(OFFLINE_LIST_SLOT,
    '<ul class="link-list" id="offline-pages">' + items + "</ul>");
  return new Response(html, {status: 200, headers: shell.headers});
}

// Signing out: the kept pages and the record of sent logs are deleted once the server has
// ended the session; unsent logs stay in the outbox, tied to their author, and send when they
// sign in again. With no signal nothing changes: the session is still open on the server.
async function signOut(request) {
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    return offlinePage();
  }
  lastRefresh = 0;
  await deleteAllPages();
  await self.FieldappOutbox.forgetSent().catch(() => {});
  return response;
}

// ---- The outbox, sent in the background where the browser has Background Sync ----
self.addEventListener("sync", (event) => {
  if (event.tag === "fieldapp-outbox") event.waitUntil(self.FieldappOutbox.flush());
});

// ---- Web Push ----
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

// A tap opens the alert: in a window of ours that is already open if there is one (it is
// navigated there), else in a new window.
async function openFromNotification(notification) {
  notification.close();
  const url = new URL((notification.data && notification.data.url) || "/inbox",
    self.location.origin);
  if (url.origin !== self.location.origin) return null;
  const windows = await self.clients.matchAll({type: "window"});
  const open = windows.find((client) => client.url === url.href) || windows[0];
  if (!open) return self.clients.openWindow(url.href);
  const shown = open.url === url.href ? open : await open.navigate(url.href);
  return (shown || open).focus().catch(() => shown || open);
}

self.addEventListener("notificationclick", (event) => {
  const opening = openFromNotification(event.notification);
  event.waitUntil(opening);
});
