// The protocol desk's only script: live solve progress, a print button, confirmations of irreversible acts and
// busy buttons. Pages work without it (a form with data-confirm then posts without asking).
"use strict";

// A form with data-confirm asks before it posts (Revoke, New link, Withdraw, Decline, Cancel, Publish...);
// every posting form then shows its button busy, so that a second click posts nothing twice.
const labels = new WeakMap();  // a busy button's own content, put back when the page comes back
const guardForms = () => {
  for (const form of document.querySelectorAll("form[method=post]")) {
    form.addEventListener("submit", (event) => {
      if (form.dataset.busy === "true") {
        event.preventDefault();  // already on its way
        return;
      }
      const question = form.dataset.confirm;
      if (question && !window.confirm(question)) {
        event.preventDefault();
        return;
      }
      form.dataset.busy = "true";
      const button = event.submitter || form.querySelector("button[type=submit], button:not([type])");
      if (!button) return;
      // after the form's data is taken: a button disabled now would not send its own name and value
      setTimeout(() => {
        labels.set(button, [...button.childNodes]);
        button.textContent = form.dataset.working || "Working…";  // e.g. "Publishing…"
        button.setAttribute("aria-busy", "true");
        button.disabled = true;
      }, 0);
    });
  }
  // back to a page kept in memory (the back button): its buttons work again
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    for (const form of document.querySelectorAll("form[data-busy=true]")) delete form.dataset.busy;
    for (const button of document.querySelectorAll("button[aria-busy=true]")) {
      if (labels.has(button)) button.replaceChildren(...labels.get(button));
      button.removeAttribute("aria-busy");
      button.disabled = false;
    }
  });
};

document.addEventListener("DOMContentLoaded", () => {
  guardForms();
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
  const section = document.querySelector("[data-poll]");
  if (!section || !["queued", "running"].includes(section.dataset.state)) return;
  const show = (field, value) => {
    const cell = section.querySelector(`[data-field="${field}"]`);
    if (cell && value !== null && value !== undefined) cell.textContent = String(value);
  };
  const bar = section.querySelector('[data-field="time_share"]');
  const poll = async () => {
    try {
      const response = await fetch(section.dataset.poll, { credentials: "same-origin" });
      if (!response.ok) return setTimeout(poll, 2000);
      const solve = await response.json();
      const p = solve.progress || {};
      // the words are the service's: figures of the priority only, the phase as a sentence, time as a bar
      show("words", p.words);
      show("phase_words", p.phase_words);
      if (bar && typeof p.time_share === "number") bar.value = Math.min(1, Math.max(0, p.time_share));
      if (typeof p.elapsed_seconds === "number") {
        show("time_words", `${Math.round(p.elapsed_seconds)} s of ${Math.round(solve.time_limit)} s`);
      }
      if (["queued", "running"].includes(solve.state)) setTimeout(poll, 1000);
      else window.location.reload();  // the result, what changes and the publish button
    } catch (error) {
      setTimeout(poll, 2000);
    }
  };
  setTimeout(poll, 1000);
});
