// Passkeys: add one (navigator.credentials.create), sign in or confirm with one
// (navigator.credentials.get). Each form marked data-passkey asks the server for options,
// runs the browser's ceremony, sends the answer back and follows the server's redirect.
// Without this script, or a browser with passkeys, the forms stay hidden: passwords still work.
(function () {
  "use strict";
  const forms = document.querySelectorAll("form[data-passkey]");
  if (!forms.length) return;
  // Browsers refuse passkeys on an IP address (http://127.0.0.1): offer none there.
  const onAnAddress = /^[\d.]+$|:/.test(window.location.hostname);
  if (!window.PublicKeyCredential || !navigator.credentials || onAnAddress) {
    document.querySelectorAll("[data-passkey-unsupported]").forEach(function (note) {
      if (onAnAddress) {
        note.textContent = "Passkeys do not work at a numeric address like " +
          window.location.host + ". Open fieldapp at its usual name to use one. You can " +
          "still sign in with your password.";
      }
      note.hidden = false;
    });
    return;
  }

  function toBytes(base64url) {
    const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "===".slice((base64.length + 3) % 4);
    return Uint8Array.from(atob(padded), function (c) { return c.charCodeAt(0); });
  }

  function toBase64url(buffer) {
    let text = "";
    new Uint8Array(buffer).forEach(function (byte) { text += String.fromCharCode(byte); });
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withBytes(descriptors) {
    return (descriptors || []).map(function (descriptor) {
      return Object.assign({}, descriptor, {id: toBytes(descriptor.id)});
    });
  }

  function creationOptions(options) {
    return Object.assign({}, options, {
      challenge: toBytes(options.challenge),
      user: Object.assign({}, options.user, {id: toBytes(options.user.id)}),
      excludeCredentials: withBytes(options.excludeCredentials)});
  }

  function requestOptions(options) {
    return Object.assign({}, options, {
      challenge: toBytes(options.challenge),
      allowCredentials: withBytes(options.allowCredentials)});
  }

  function credentialJSON(credential) {
    const response = credential.response;
    const json = {id: credential.id, rawId: toBase64url(credential.rawId),
      type: credential.type, clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      response: {clientDataJSON: toBase64url(response.clientDataJSON)}};
    if (response.attestationObject) {
      json.response.attestationObject = toBase64url(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toBase64url(response.authenticatorData);
      json.response.signature = toBase64url(response.signature);
      json.response.userHandle = response.userHandle ? toBase64url(response.userHandle) : null;
    }
    return json;
  }

  async function answerOf(response) {
    const answer = await response.json().catch(function () { return {}; });
    if (response.ok) return answer;
    const reason = Object.values(answer.errors || {})[0];
    throw new Error(reason || "That did not work. Try again.");
  }

  async function ceremony(form) {
    const token = form.querySelector("input[name=csrf_token]").value;
    const name = form.querySelector("input[name=name]");
    const options = await answerOf(await fetch(form.dataset.optionsUrl, {
      method: "POST", credentials: "same-origin", body: new FormData(form),
      headers: {"X-CSRFToken": token}}));
    let credential;
    try {
      credential = form.dataset.passkey === "add"
        ? await navigator.credentials.create({publicKey: creationOptions(options)})
        : await navigator.credentials.get({publicKey: requestOptions(options)});
    } catch (error) {
      throw new Error(form.dataset.passkey === "add"
        ? "No passkey was added: the phone or computer did not make one. Try again."
        : "No passkey was used: it was cancelled, or none was found on this phone or " +
          "computer. Try again.");
    }
    const answer = await answerOf(await fetch(form.dataset.verifyUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token},
      body: JSON.stringify({credential: credentialJSON(credential),
        name: name ? name.value : undefined, next: form.dataset.next || undefined})}));
    window.location.assign(answer.redirect);
  }

  forms.forEach(function (form) {
    const problem = form.querySelector("[data-passkey-error]");
    const button = form.querySelector("button[type=submit]");
    form.hidden = false;
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      problem.hidden = true;
      button.disabled = true;
      try {
        await ceremony(form);
      } catch (error) {
        problem.textContent = error.message;
        problem.hidden = false;
      } finally {
        button.disabled = false;
      }
    });
  });
}());
