// fieldapp in the browser. Everyone: the service worker (offline pages, notifications).
// Operatives: the outbox status on every page, a log form that works with no signal, the list
// of logs on this phone, and a warning before signing out with logs unsent.
"use strict";
(function () {
  const hasWorker = "serviceWorker" in navigator;
  if (hasWorker) navigator.serviceWorker.register("/sw.js").catch(function () {});
  const user = Number(document.body.dataset.operative) || null;
  const outbox = window.FieldappOutbox;
  const byId = function (id) { return document.getElementById(id); };
  const count = function (n, one, many) { return n + " " + (n === 1 ? one : many); };
  const clock = function (ms) {
    return new Date(ms).toLocaleTimeString("en-GB", {hour: "2-digit", minute: "2-digit",
      timeZone: "Europe/London"});
  };
  const STATES = {waiting: "Waiting to send", sign_in: "Waiting: sign in again to send it",
    attention: "Needs attention: it was not accepted"};
  if (!user) {
    // Signed out, or disabled: the phone may still hold logs nobody has. Say so on the sign-in
    // page, and let the outbox page show them to be read. outbox.js loads after this script
    // on those pages, so wait for it.
    document.addEventListener("DOMContentLoaded", function () {
      const kept = window.FieldappOutbox;
      if (kept && (byId("unsent-logs") || byId("outbox-list"))) readWithoutSession(kept);
    });
    return;
  }
  if (!outbox) return;

  // ---- Status on every page, and sending whenever there may be signal ----
  async function showStatus() {
    const status = byId("outbox-status");
    const s = await outbox.summary(user);
    const parts = [];
    if (s.waiting) parts.push(s.waiting + " waiting to send");
    if (s.attention) parts.push(count(s.attention, "needs", "need") + " attention");
    if (s.signIn) parts.push("sign in again to send");
    status.querySelector("a").textContent = "Logs: " + (parts.join(", ") || "All sent");
    status.dataset.state = s.attention ? "attention" : (s.waiting ? "waiting" : "clear");
  }

  let flushing = null;
  function flushNow() {
    flushing = flushing || outbox.flush().catch(function () { return {offline: true}; })
      .then(function (results) { flushing = null; return results; });
    return flushing;
  }

  function askForBackgroundSync() {
    if (!hasWorker) return;
    navigator.serviceWorker.ready.then(function (registration) {
      return registration.sync && registration.sync.register("fieldapp-outbox");
    }).catch(function () {});
  }

  function refreshSavedPages() {
    // The page says it is getting visits ready (so the text is there at first paint); where
    // nothing will be saved, it says nothing.
    const ready = byId("offline-ready");
    if (ready && !hasWorker) ready.textContent = "";
    if (!hasWorker || !navigator.onLine) return;
    navigator.serviceWorker.ready.then(function (registration) {
      registration.active.postMessage({type: "refresh"});
    });
  }

  if (window.BroadcastChannel) {
    new BroadcastChannel(outbox.CHANNEL).onmessage = function () {
      showStatus();
      if (byId("outbox-list")) showOutbox();
    };
    new BroadcastChannel("fieldapp-offline").onmessage = function (event) {
      const ready = byId("offline-ready");
      if (ready && event.data.type === "saved") {
        ready.textContent = "Ready for no signal: " + count(event.data.visits, "visit",
          "visits") + " saved.";
      }
    };
  }
  window.addEventListener("online", flushNow);
  setInterval(function () { flushNow(); }, 30000);
  showStatus();
  flushNow();
  refreshSavedPages();

  // ---- The log form: checked here, kept in the outbox, then sent ----
  const RADIOS = ["outcome", "no_access_reason", "distress", "concerns"];

  function problemsIn(payload, phone) {
    const problems = {};
    if (!payload.outcome) problems.outcome = phone.messages.outcome;
    const noAccess = phone.no_access_outcomes.indexOf(payload.outcome) >= 0;
    if (noAccess && !payload.no_access_reason) {
      problems.no_access_reason = phone.messages.no_access_reason;
    }
    // The server's rule too: a reason with another outcome is refused, never dropped.
    if (payload.outcome && !noAccess && payload.no_access_reason) {
      problems.no_access_reason = phone.messages.access_given;
    }
    if (!payload.distress) problems.distress = phone.messages.distress;
    ["note", "follow_up"].forEach(function (name) {
      if (payload[name].trim().length > phone.limits[name]) problems[name] = phone.messages[name];
    });
    return problems;
  }

  // The message is read out with the field, as on a page the server drew with its errors.
  function describeWith(field, id, on) {
    const ids = (field.getAttribute("aria-describedby") || "").split(" ").filter(function (x) {
      return x && x !== id;
    });
    if (on) ids.push(id);
    if (ids.length) field.setAttribute("aria-describedby", ids.join(" "));
    else field.removeAttribute("aria-describedby");
  }

  function showProblems(form, problems) {
    const names = Object.keys(problems);
    document.querySelectorAll(".error-summary:not(#log-problems)").forEach(function (old) {
      old.remove();
    });
    form.querySelectorAll("[data-field], #client_id-error").forEach(function (node) {
      const name = node.dataset.field || "client_id";
      const line = byId(name + "-error");
      if (node.dataset.field) {
        node.classList.toggle("form-group--error", name in problems);
        describeWith(node.querySelector("fieldset, textarea, input"), line.id, name in problems);
      }
      line.hidden = !(name in problems);
      line.querySelector(".field-error__text").textContent = problems[name] || "";
    });
    const summary = byId("log-problems");
    summary.querySelector("ul").replaceChildren.apply(summary.querySelector("ul"),
      names.map(function (name) {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = "#" + name + (RADIOS.indexOf(name) >= 0 ? "-0" : "");
        link.textContent = problems[name];
        item.append(link);
        return item;
      }));
    summary.hidden = !names.length;
    document.title = (names.length ? "Error: " : "") + document.title.replace(/^Error: /, "");
    if (names.length) summary.focus();
  }

  function isHardVisit(payload, urgent) {
    return urgent.outcome.indexOf(payload.outcome) >= 0 ||
      urgent.distress.indexOf(payload.distress) >= 0 ||
      payload.concerns.some(function (c) { return urgent.concern.indexOf(c) >= 0; });
  }

  function showSaved(form, payload, phone, signedOut) {
    form.hidden = true;
    byId("log-saved-sign-in").hidden = !signedOut;
    byId("log-how-are-you").hidden = !isHardVisit(payload, phone.urgent);
    byId("log-saved-next").hidden = false;
    const saved = byId("log-saved");
    saved.hidden = false;
    saved.focus();
  }

  function readForm(form) {
    const data = new FormData(form);
    const text = function (name) { return String(data.get(name) || ""); };
    return {client_id: text("client_id"), visit_id: Number(form.dataset.visitId),
      outcome: text("outcome"), no_access_reason: text("no_access_reason"),
      distress: text("distress"), concerns: data.getAll("concerns"), note: text("note"),
      follow_up: text("follow_up")};
  }

  function fillForm(form, payload) {
    form.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (box) {
      const value = payload[box.name];
      box.checked = Array.isArray(value) ? value.indexOf(box.value) >= 0 : value === box.value;
    });
    form.elements.note.value = payload.note || "";
    form.elements.follow_up.value = payload.follow_up || "";
  }

  // Which earlier log this one changes: the one this phone knows of, else the server's.
  async function amendments(form, visitId) {
    const fromServer = Number(new FormData(form).get("amends")) || null;
    const earlier = await outbox.earlierVersion(user, visitId);
    if (earlier && earlier.client_id) return {amends_client_id: earlier.client_id, amends: null};
    const sent = earlier ? earlier.log_id : null;
    return {amends_client_id: null, amends: Math.max(fromServer || 0, sent || 0) || null};
  }

  async function itemBeingFixed(form) {
    const clientId = new URLSearchParams(location.search).get("outbox");
    const found = (await outbox.all()).filter(function (i) {
      return i.client_id === clientId && i.user === user;
    })[0];
    if (found) {
      fillForm(form, found.payload);
      showProblems(form, found.errors || {});
    }
    return found || null;
  }

  async function enhanceLogForm(form) {
    const phone = JSON.parse(form.dataset.phone);
    const clientId = form.elements.client_id;
    // A page kept on the phone is opened again and again: each log gets its own id.
    clientId.value = outbox.newClientId();
    const photos = window.FieldappPhotos && window.FieldappPhotos.enhance(form,
      function (message) { showProblems(form, message ? {photos: message} : {}); });
    const fixing = await itemBeingFixed(form);
    if (fixing && photos) photos.load(fixing.photos);
    let busy = false;
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (busy) return;
      const payload = readForm(form);
      const problems = problemsIn(payload, phone);
      showProblems(form, problems);
      if (Object.keys(problems).length) return;
      busy = true;
      if (fixing) await outbox.remove(fixing);
      const links = fixing ? {amends_client_id: fixing.amends_client_id,
        amends: fixing.payload.amends || null} : await amendments(form, payload.visit_id);
      if (links.amends) payload.amends = links.amends;
      const item = await outbox.add({client_id: payload.client_id, user: user,
        visit_id: payload.visit_id, label: form.dataset.visitLabel, payload: payload,
        amends_client_id: links.amends_client_id, photos: photos ? photos.list() : []});
      askForBackgroundSync();
      // Straight to the outbox's sender (it sends in order, after any send under way), but the
      // operative is not kept waiting on a weak signal: after a few seconds the log is simply
      // "saved on this phone" and goes on sending in the background.
      const results = await Promise.race([
        outbox.flush().catch(function () { return {offline: true}; }),
        new Promise(function (resolve) { setTimeout(resolve, 6000, {slow: true}); })]);
      const result = results[payload.client_id];
      if (result && result.outcome === "sent") {
        location.assign(form.dataset.loggedUrl + "?log=" + result.body.id);
        return;
      }
      if (result && result.outcome === "refused") {
        // The operative is here to fix it: show the server's words on the form.
        await outbox.remove(item);
        clientId.value = outbox.newClientId();
        showProblems(form, result.errors);
        busy = false;
        return;
      }
      showSaved(form, payload, phone, results.signedOut);
    });
  }

  const form = byId("log-form");
  if (form) enhanceLogForm(form);

  // ---- Logs on this phone ----

  // What the operative wrote, in words, so it can be read (and shown to a supervisor).
  function logDetails(list, payload) {
    const words = JSON.parse(byId("outbox").dataset.words || "{}");
    const say = function (kind, code) { return (words[kind] || {})[code] || code; };
    [["How the visit went", payload.outcome && say("outcome", payload.outcome)],
      ["Why there was no access", payload.no_access_reason &&
        say("no_access_reason", payload.no_access_reason)],
      ["Distress seen", payload.distress && say("distress", payload.distress)],
      ["Concerns", (payload.concerns || []).map(function (c) {
        return say("concerns", c);
      }).join(", ")],
      ["Note", payload.note], ["Follow-up", payload.follow_up]].forEach(function (row) {
      if (!row[1]) return;
      const term = document.createElement("dt");
      term.textContent = row[0];
      const detail = document.createElement("dd");
      detail.textContent = row[1];
      list.append(term, detail);
    });
  }

  // The photos waiting with a log: how many, as the phone holds them.
  function photoDetails(list, photos) {
    if (!photos.length) return;
    const term = document.createElement("dt");
    term.textContent = "Photos";
    const detail = document.createElement("dd");
    detail.textContent = count(photos.length, "photo", "photos");
    list.append(term, detail);
  }

  function outboxItem(item, canAct) {
    const node = byId("outbox-item").content.firstElementChild.cloneNode(true);
    node.querySelector(".record__title").textContent = item.label;
    node.querySelector(".outbox-item__state").textContent = STATES[item.status];
    const message = node.querySelector(".outbox-item__message");
    message.textContent = item.status === "attention" ? item.message : "";
    message.hidden = !message.textContent;
    node.querySelector(".outbox-item__written").textContent = "Written at " +
      clock(item.written_at);
    logDetails(node.querySelector(".outbox-item__log"), item.payload || {});
    photoDetails(node.querySelector(".outbox-item__log"), item.photos || []);
    const actions = node.querySelector(".record__actions");
    actions.hidden = !canAct || item.status !== "attention";
    if (!canAct) return node;
    node.querySelector(".outbox-item__change").href = "/visits/" + item.visit_id +
      "/log?outbox=" + encodeURIComponent(item.client_id);
    node.querySelector(".outbox-item__retry").addEventListener("click", async function () {
      await outbox.update(Object.assign(item, {status: "waiting"}));
      flushNow();
    });
    return node;
  }

  function drawOutbox(items, canAct) {
    const list = byId("outbox-list");
    list.replaceChildren.apply(list, items.map(function (item) {
      return outboxItem(item, canAct);
    }));
    const waiting = canAct && items.some(function (i) { return i.status !== "attention"; });
    byId("outbox-empty").hidden = items.length > 0;
    list.hidden = items.length === 0;  // no empty list: the sentence above says it all
    byId("outbox-waiting-help").hidden = !waiting;
    byId("outbox-send-row").hidden = !waiting;
  }

  async function showOutbox() {
    drawOutbox((await outbox.all()).filter(function (i) { return i.user === user && !i.url; }),
      true);
  }

  // With no session nothing can be sent: every log this phone holds is shown, to be read.
  async function readWithoutSession(kept) {
    const items = (await kept.all()).filter(function (i) { return !i.url; });
    const notice = byId("unsent-logs");
    if (notice && items.length) {
      byId("unsent-logs-count").textContent = "This phone holds " +
        count(items.length, "log that was", "logs that were") + " not sent.";
      notice.hidden = false;
    }
    if (byId("outbox-list")) drawOutbox(items, false);
  }

  if (byId("outbox-list")) {
    showOutbox();
    byId("outbox-send").addEventListener("click", flushNow);
  }

  // ---- Signing out: send what can be sent; warn before leaving logs behind ----
  const signOut = byId("sign-out");
  const warning = byId("sign-out-warning");
  signOut.addEventListener("submit", async function (event) {
    if (event.submitter && event.submitter.id === "sign-out-anyway") return;
    event.preventDefault();
    await flushNow();
    const s = await outbox.summary(user);
    const unsent = s.waiting + s.attention;
    if (!unsent) {
      signOut.submit();
      return;
    }
    byId("sign-out-count").textContent = count(unsent, "log has", "logs have") +
      " not been sent.";
    // Shown under the page's heading, where it is seen; kept after it in the page's order.
    const heading = document.querySelector("main h1");
    if (heading) heading.after(warning);
    warning.hidden = false;
    warning.focus();
  });
  byId("sign-out-stay").addEventListener("click", function () { warning.hidden = true; });
})();
