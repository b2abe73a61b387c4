// The protocol desk's only script: live solve progress, and a print button. Pages work without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
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
