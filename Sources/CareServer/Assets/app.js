// carehome: small enhancements for browsers that run scripts. Every page works without this file
// (shared tablets with scripts blocked, old PCs); it only saves taps and shows advice sooner.
"use strict";

function radiosIn(scopeID, value) {
  const scope = document.getElementById(scopeID);
  return scope ? Array.from(scope.querySelectorAll("input[type=radio]")).filter((r) => r.value === value) : [];
}

// "No to all eight": answer every question of a group in one tap; each answer stays visible and changeable.
document.querySelectorAll("button[data-answer-all]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => {
    radiosIn(button.dataset.scope, button.dataset.answerAll).forEach((radio) => {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });
});

// Advice that applies as soon as one answer is given (e.g. "Call 999 — do not lift"), before sending.
document.querySelectorAll("[data-shown-when]").forEach((advice) => {
  const scope = document.getElementById(advice.dataset.scope);
  if (!scope) return;
  const update = () => {
    const applies = radiosIn(advice.dataset.scope, advice.dataset.shownWhen).some((radio) => radio.checked);
    const appearing = applies && advice.hidden;
    advice.hidden = !applies;
    if (appearing) advice.scrollIntoView({ block: "start" });
  };
  scope.addEventListener("change", update);
  update();
});

// On a phone the main menu folds behind "Menu" (app.css shows the button only on narrow screens).
document.querySelectorAll(".site-header").forEach((header) => {
  const toggle = header.querySelector(".menu-toggle");
  if (!toggle) return;
  toggle.hidden = false;
  header.classList.add("menu-ready");
  toggle.addEventListener("click", () => {
    const open = header.classList.toggle("menu-open");
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "Close menu" : "Menu";
  });
});
