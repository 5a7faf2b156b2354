// Check in and check out (the lone-worker pattern). Each tap on the briefing is kept in the
// phone's outbox with an id made here and the time the phone recorded it, and sent when there
// is signal: the server counts from that time. The phone reminds the operative 10 minutes
// before the end, on the page and (if allowed) as a notification. "I need help" is sent the
// same way and changes nothing on the screen.
"use strict";
(function () {
  const outbox = window.FieldappOutbox;
  const user = Number(document.body.dataset.operative) || null;
  if (!outbox || !user) return;
  const KEY = "fieldapp-checkins-" + user;
  const REMIND_MS = 10 * 60000;
  const byId = function (id) { return document.getElementById(id); };
  const panel = byId("checkin");
  const timers = {};

  function kept() {
    try { return JSON.parse(localStorage.getItem(KEY) || "{}"); } catch (error) { return {}; }
  }
  function keep(all) {
    try { localStorage.setItem(KEY, JSON.stringify(all)); } catch (error) { /* full: the server still watches */ }
  }
  function clock(ms) {
    return new Date(ms).toLocaleTimeString("en-GB", {hour: "2-digit", minute: "2-digit",
      timeZone: "Europe/London"});
  }

  function remind(visit) {
    if (panel && Number(panel.dataset.visit) === visit) byId("checkin-reminder").hidden = false;
    if (!window.Notification || Notification.permission !== "granted") return;
    navigator.serviceWorker.ready.then(function (registration) {
      // Tagged as the server's push of the same reminder is (by its address), so a phone that
      // gets both shows one.
      const url = "/visits/" + visit + "#check-in";
      return registration.showNotification("fieldapp", {body: "Still OK? Extend or check out.",
        tag: url, data: {url: url}});
    }).catch(function () {});
  }

  function schedule(visit, due) {
    clearTimeout(timers[visit]);
    const wait = due - REMIND_MS - Date.now();
    if (wait <= 0) { if (Date.now() < due + 15 * 60000) remind(visit); return; }
    timers[visit] = setTimeout(function () { remind(visit); }, Math.min(wait, 2147483000));
  }

  // On every operative page: the reminders of this phone's open check-ins.
  const open = kept();
  Object.keys(open).forEach(function (visit) {
    if (open[visit].due < Date.now() - 12 * 3600000) delete open[visit];
    else schedule(Number(visit), open[visit].due);
  });
  keep(open);
  if (!panel) return;

  const visit = Number(panel.dataset.visit);
  const openBox = byId("checkin-open");
  // What the server knows wins over this phone's note (it may have been sent from a form).
  if (openBox.dataset.due) {
    const all = kept();
    all[visit] = {checkin: openBox.dataset.checkin, due: Date.parse(openBox.dataset.due)};
    keep(all);
    schedule(visit, all[visit].due);
  }

  function show(checkin, started, due) {
    openBox.dataset.checkin = checkin;
    openBox.querySelectorAll("input[name=checkin]").forEach(function (input) {
      input.value = checkin;
    });
    if (started) byId("checkin-started").textContent = clock(started);
    byId("checkin-due").textContent = clock(due);
    byId("checkin-reminder").hidden = true;
    openBox.hidden = false;
    byId("checkin-start").hidden = true;
    const all = kept();
    all[visit] = {checkin: checkin, due: due};
    keep(all);
    schedule(visit, due);
  }

  function closed() {
    openBox.hidden = true;
    byId("checkin-start").hidden = false;
    clearTimeout(timers[visit]);
    const all = kept();
    delete all[visit];
    keep(all);
  }

  panel.querySelectorAll("form.checkin-form").forEach(function (form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const kind = form.dataset.kind;
      const now = Date.now();
      const minutes = Number(new FormData(form).get("minutes")) || null;
      const payload = {client_id: outbox.newClientId(), kind: kind, visit_id: visit,
        at: new Date(now).toISOString()};
      if (minutes) payload.minutes = minutes;
      if (kind === "extend" || kind === "out") payload.checkin = openBox.dataset.checkin;
      if (kind === "in" && window.Notification && Notification.permission === "default") {
        Notification.requestPermission().catch(function () {});
      }
      await outbox.add({client_id: payload.client_id, user: user, url: "/api/checkins",
        payload: payload});
      if (kind === "in") show(payload.client_id, now, now + minutes * 60000);
      if (kind === "extend") {
        const due = Math.max((kept()[visit] || {}).due || now, now) + minutes * 60000;
        show(openBox.dataset.checkin, null, due);
      }
      if (kind === "out") closed();
      const results = await outbox.flush().catch(function () { return {offline: true}; });
      const sent = results && results[payload.client_id] &&
        results[payload.client_id].outcome === "sent";
      if (kind !== "help") byId("checkin-waiting").hidden = sent;
    });
  });
})();
