// The outbox: logs written on this phone wait in IndexedDB until the server has them.
// Loaded by operative pages and by the service worker (importScripts), so both send the same
// way. An item leaves only after a 2xx; a refused one stays, marked for the operative to fix.
"use strict";
(function (scope) {
  const DB_NAME = "fieldapp";
  const CHANNEL = "fieldapp-outbox";
  let opening = null;

  function database() {
    opening = opening || new Promise(function (resolve, reject) {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        const db = request.result;
        // "seq" keeps the order the logs were written in; each client id is there once.
        const outbox = db.createObjectStore("outbox", {keyPath: "seq", autoIncrement: true});
        outbox.createIndex("client_id", "client_id", {unique: true});
        // Sent logs: their server id, so a later change on this phone amends the right log.
        db.createObjectStore("sent", {keyPath: "client_id"});
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { opening = null; reject(request.error); };
    });
    return opening;
  }

  // One transaction; `work` makes its requests at once and returns the one whose result we want.
  async function inStores(names, mode, work) {
    const db = await database();
    return new Promise(function (resolve, reject) {
      const tx = db.transaction(names, mode);
      const request = work.apply(null, names.map(function (name) { return tx.objectStore(name); }));
      tx.oncomplete = function () { resolve(request ? request.result : undefined); };
      tx.onerror = tx.onabort = function () { reject(tx.error); };
    });
  }

  function all() {
    return inStores(["outbox"], "readonly", function (outbox) { return outbox.getAll(); });
  }

  function sentList() {
    return inStores(["sent"], "readonly", function (sent) { return sent.getAll(); });
  }

  function announce() {
    if (scope.BroadcastChannel) new BroadcastChannel(CHANNEL).postMessage({type: "changed"});
  }

  function newClientId() {
    if (scope.crypto.randomUUID) return scope.crypto.randomUUID();
    const b = scope.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    const hex = Array.from(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20),
      hex.slice(20)].join("-");
  }

  // The log this new one changes, if this phone knows of one: still waiting, or already sent.
  async function earlierVersion(user, visitId) {
    const waiting = (await all()).filter(function (i) {
      return i.user === user && i.visit_id === visitId;
    });
    if (waiting.length) return {client_id: waiting[waiting.length - 1].client_id};
    const sent = (await sentList()).filter(function (s) {
      return s.user === user && s.visit_id === visitId;
    }).sort(function (a, b) { return a.sent_at - b.sent_at; });
    return sent.length ? {log_id: sent[sent.length - 1].log_id} : null;
  }

  async function add(item) {
    const record = Object.assign({status: "waiting", message: "", written_at: Date.now()}, item);
    record.seq = await inStores(["outbox"], "readwrite", function (outbox) {
      return outbox.add(record);
    });
    announce();
    return record;
  }

  async function update(item) {
    await inStores(["outbox"], "readwrite", function (outbox) { return outbox.put(item); });
    announce();
  }

  async function remove(item) {
    await inStores(["outbox"], "readwrite", function (outbox) { return outbox.delete(item.seq); });
    announce();
  }

  // The server copies what it stores off its machine within about a second
  // (docs/reliability.md). A log sent longer ago than this is sent once more: the server
  // answers "already stored", or stores it again if it was lost with a machine. Until then the
  // phone keeps the log's words; after, only its server id.
  const CONFIRM_AFTER_MS = 10000;

  async function markSent(item, body) {
    await inStores(["outbox", "sent"], "readwrite", function (outbox, sent) {
      outbox.delete(item.seq);
      return sent.put({client_id: item.client_id, user: item.user, visit_id: item.visit_id,
        log_id: body.id, sent_at: Date.now(), payload: item.payload,
        amends_client_id: item.amends_client_id || null});
    });
    announce();
  }

  function toConfirm(entry, user) {
    return entry.payload && (user === undefined || entry.user === user) &&
      Date.now() - entry.sent_at >= CONFIRM_AFTER_MS;
  }

  async function confirmed(entry, logId) {
    await inStores(["sent"], "readwrite", function (sent) {
      return sent.put(Object.assign(entry, {log_id: logId, payload: null}));
    });
  }

  // Sends each log acknowledged long enough ago once more, oldest first; stops when the
  // server cannot answer, to try again later.
  async function confirmSent(current) {
    const due = (await sentList()).filter(function (entry) {
      return toConfirm(entry, current.user);
    }).sort(function (a, b) { return a.sent_at - b.sent_at; });
    for (const entry of due) {
      const response = await post(entry, current.csrf_token);
      if (response.ok) {
        await confirmed(entry, (await response.json()).id);
        continue;
      }
      const problem = await readErrors(response);
      // A refusal means the server has its own answer for this log: nothing more to send.
      if ([400, 403, 404, 409, 413, 422].indexOf(response.status) < 0 || problem.code === "csrf") {
        return;
      }
      await confirmed(entry, entry.log_id);
    }
  }

  // Sign-out: sent logs are forgotten; unsent ones stay until their author signs in again.
  async function forgetSent() {
    await inStores(["sent"], "readwrite", function (sent) { return sent.clear(); });
  }

  async function summary(user) {
    // Logs only: check-in messages show on the briefing, and "I need help" shows nowhere.
    const mine = (await all()).filter(function (i) { return i.user === user && !i.url; });
    const count = function (status) {
      return mine.filter(function (i) { return i.status === status; }).length;
    };
    return {waiting: count("waiting") + count("sign_in"), attention: count("attention"),
      signIn: count("sign_in") > 0};
  }

  // A weak signal can leave a request hanging for minutes: give up, the log stays waiting.
  async function fetchWithin(url, options, ms) {
    const controller = new AbortController();
    const timer = setTimeout(function () { controller.abort(); }, ms);
    try {
      return await fetch(url, Object.assign({signal: controller.signal}, options));
    } finally {
      clearTimeout(timer);
    }
  }

  // Who is signed in, with a fresh CSRF token; null when signed out. Throws with no signal.
  async function session() {
    const response = await fetchWithin("/api/session", {credentials: "same-origin",
      redirect: "error", headers: {Accept: "application/json"}, cache: "no-store"}, 10000);
    if (response.status === 401) return null;
    if (!response.ok) throw new Error("session " + response.status);
    return response.json();
  }

  async function post(item, token) {
    const payload = Object.assign({}, item.payload);
    if (item.amends_client_id) {
      const earlier = await inStores(["sent"], "readonly", function (sent) {
        return sent.get(item.amends_client_id);
      });
      if (earlier) payload.amends = earlier.log_id;
    }
    const request = requestFor(item, payload);
    // A check-in message names its own address (checkin.js); a log has none.
    return fetchWithin(item.url || "/api/logs", {method: "POST", credentials: "same-origin",
      redirect: "error", cache: "no-store", body: request.body,
      headers: Object.assign({Accept: "application/json", "X-CSRFToken": token},
        request.headers)}, request.wait);
  }

  // A log alone goes as JSON. A log with photos goes as one multipart form, the log as JSON in
  // "log" and the photos after it, so the server stores all of it or none; it is given longer
  // to arrive (20 KB a second at worst) before the phone gives up and tries again later.
  function requestFor(item, payload) {
    const photos = item.photos || [];
    if (!photos.length) {
      return {body: JSON.stringify(payload), headers: {"Content-Type": "application/json"},
        wait: 20000};
    }
    const form = new FormData();
    form.append("log", JSON.stringify(payload));
    let bytes = 0;
    photos.forEach(function (photo, index) {
      form.append("photos", photo.blob, photo.name || "photo-" + (index + 1) + ".jpg");
      bytes += photo.blob.size;
    });
    return {body: form, headers: {}, wait: 20000 + bytes / 20};
  }

  async function readErrors(response) {
    try {
      const body = await response.json();
      return {code: body.code, errors: body.errors || {}};
    } catch (error) {
      return {code: null, errors: {}};
    }
  }

  function explain(errors) {
    const messages = Object.keys(errors).map(function (name) { return errors[name]; });
    return messages.join(". ") || "The server could not take this log.";
  }

  // Sends one item. Returns "sent", "refused" (kept for the operative), or "stop" (try later).
  async function sendOne(item, current) {
    let response = await post(item, current.csrf_token);
    let problem = response.ok ? null : await readErrors(response);
    if (problem && problem.code === "csrf") {
      Object.assign(current, await session() || {});
      response = await post(item, current.csrf_token);
      problem = response.ok ? null : await readErrors(response);
    }
    if (response.ok) {
      const body = await response.json();
      await markSent(item, body);
      return {outcome: "sent", body: body};
    }
    if (response.status === 401) return {outcome: "signed_out"};
    if ([400, 403, 404, 409, 413, 422].indexOf(response.status) >= 0 && problem.code !== "csrf") {
      await update(Object.assign(item, {status: "attention", message: explain(problem.errors),
        errors: problem.errors}));
      return {outcome: "refused", errors: problem.errors, status: response.status};
    }
    return {outcome: "stop"};
  }

  async function markSignIn(items) {
    for (const item of items) {
      if (item.status === "waiting") await update(Object.assign(item, {status: "sign_in"}));
    }
  }

  // Sends every waiting log of the signed-in user, oldest first; stops at the first sign of
  // no signal, so the order is kept.
  async function sendWaiting() {
    const items = (await all()).filter(function (i) { return i.status !== "attention"; });
    const unconfirmed = (await sentList()).some(function (entry) { return toConfirm(entry); });
    if (!items.length && !unconfirmed) return {};
    let current;
    try {
      current = await session();
    } catch (error) {
      return {offline: true};
    }
    if (current === null) {
      await markSignIn(items);
      return {signedOut: true};
    }
    const results = {};
    const mine = items.filter(function (i) { return i.user === current.user; });
    for (const item of mine) {
      if (item.status === "sign_in") await update(Object.assign(item, {status: "waiting"}));
    }
    for (const item of mine) {
      let result;
      try {
        result = await sendOne(item, current);
      } catch (error) {
        return Object.assign(results, {offline: true});
      }
      results[item.client_id] = result;
      if (result.outcome === "signed_out") {
        await markSignIn(items);
        return Object.assign(results, {signedOut: true});
      }
      if (result.outcome === "stop") return results;
    }
    try {
      await confirmSent(current);
    } catch (error) {
      return Object.assign(results, {offline: true});
    }
    return results;
  }

  // One sender at a time across this phone's tabs and the service worker.
  function flush() {
    const locks = scope.navigator && scope.navigator.locks;
    if (!locks) return sendWaiting();
    return locks.request("fieldapp-outbox", sendWaiting);
  }

  scope.FieldappOutbox = {add: add, all: all, update: update, remove: remove, flush: flush,
    summary: summary, earlierVersion: earlierVersion, forgetSent: forgetSent,
    newClientId: newClientId, CHANNEL: CHANNEL};
})(self);
