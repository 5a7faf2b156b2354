// Notification settings: subscribe this device to Web Push, or unsubscribe it.
(function () {
  "use strict";
  const box = document.getElementById("push-controls");
  if (!box) return;
  const on = document.getElementById("push-on");
  const off = document.getElementById("push-off");
  const state = document.getElementById("push-state");
  const csrf = JSON.parse(document.body.getAttribute("data-hx-headers"))["X-CSRFToken"];

  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    state.textContent = "This browser cannot show notifications. On an iPhone, add fieldapp " +
      "to your home screen first, then open it from there.";
    return;
  }

  function keyBytes(base64url) {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  async function registration() {
    await navigator.serviceWorker.register("/sw.js");
    return navigator.serviceWorker.ready;
  }

  // The list of devices carries each one's SHA-256 (never its address): the one that matches
  // this browser's subscription is marked "This device". True when listed, false when not
  // (removed from the list on another device), null when this browser cannot tell.
  async function markThisDevice(subscription) {
    const marks = document.querySelectorAll("[data-this-device]");
    marks.forEach(function (mark) { mark.hidden = true; });
    if (!subscription) return false;
    if (!window.crypto || !crypto.subtle) return null;
    const digest = await crypto.subtle.digest("SHA-256",
      new TextEncoder().encode(subscription.endpoint));
    const hex = Array.from(new Uint8Array(digest),
      function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    let listed = false;
    marks.forEach(function (mark) {
      mark.hidden = mark.closest("[data-device]").dataset.device !== hex;
      listed = listed || !mark.hidden;
    });
    return listed;
  }

  async function showButtons() {
    const subscription = await (await registration()).pushManager.getSubscription();
    // A device removed from the list keeps its browser subscription: offer to turn it on.
    const isOn = Boolean(subscription) && await markThisDevice(subscription) !== false;
    on.hidden = isOn;
    off.hidden = !isOn;
  }

  function send(url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf}});
  }

  on.addEventListener("click", async function () {
    if (await Notification.requestPermission() !== "granted") {
      state.textContent = "Notifications are blocked for this site. Allow them in your " +
        "browser's settings, then try again.";
      return;
    }
    try {
      const subscription = await (await registration()).pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.publicKey)});
      const response = await send(box.dataset.subscribeUrl, subscription.toJSON());
      const answer = response.ok ? {} : await response.json().catch(function () { return {}; });
      const reason = Object.values(answer.errors || {})[0];
      state.textContent = response.ok ? "Notifications are on for this device."
        : reason || "We could not turn notifications on. Try again.";
    } catch (error) {
      state.textContent = "We could not turn notifications on: this browser said no. Try again.";
    }
    showButtons();
  });

  off.addEventListener("click", async function () {
    const subscription = await (await registration()).pushManager.getSubscription();
    if (subscription) {
      const response = await send(box.dataset.unsubscribeUrl, {endpoint: subscription.endpoint});
      if (!response.ok) {  // refused (too many tries): the device stays on, and says why
        const answer = await response.json().catch(function () { return {}; });
        state.textContent = Object.values(answer.errors || {})[0] ||
          "We could not turn notifications off. Try again.";
        return;
      }
      await subscription.unsubscribe();
    }
    state.textContent = "Notifications are off for this device.";
    showButtons();
  });

  showButtons();
})();
