// A show/hide button for a password field an officer types for someone else (the resident's
// doorstep password): they can check what they typed. Without this script the field is an
// ordinary password field and the form works the same.
"use strict";
(function () {
  document.querySelectorAll("[data-reveal] input[type=password]").forEach(function (input) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary button--small reveal__button";
    button.setAttribute("aria-controls", input.id);
    const show = function (shown) {
      input.type = shown ? "text" : "password";
      button.setAttribute("aria-pressed", String(shown));
      button.textContent = shown ? "Hide password" : "Show password";
    };
    button.addEventListener("click", function () { show(input.type === "password"); });
    show(false);
    input.insertAdjacentElement("afterend", button);
  });
})();
