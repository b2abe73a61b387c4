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
    if (cell) cell.textContent = value === null || value === undefined ? "–" : String(value);  // 12.0 prints 12
  };
  const poll = async () => {
    try {
      const response = await fetch(section.dataset.poll, { credentials: "same-origin" });
      if (!response.ok) return setTimeout(poll, 2000);
      const solve = await response.json();
      const p = solve.progress || {};
      show("state", solve.state);
      show("phase", p.phase);
      show("incumbent", p.incumbent);
      show("bound", p.bound);
      show("gap", p.gap === null || p.gap === undefined ? null : (p.gap * 100).toFixed(1) + " %");
      if (["queued", "running"].includes(solve.state)) setTimeout(poll, 1000);
      else window.location.reload();  // the result, the difference and the publish button
    } catch (error) {
      setTimeout(poll, 2000);
    }
  };
  setTimeout(poll, 1000);
});
