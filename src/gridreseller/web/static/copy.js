// The API key page's copy button: shown only where this script runs; without it,
// the key stays in a selectable read-only field. (A file, not inline: the dashboard's
// Content-Security-Policy allows scripts from this site only.)
"use strict";
for (const button of document.querySelectorAll("button[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  const hint = document.getElementById(field.getAttribute("aria-describedby"));
  button.hidden = false;
  field.addEventListener("focus", () => field.select());
  button.addEventListener("click", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch (error) {
      document.execCommand("copy"); // older browsers, or an insecure origin
    }
    hint.textContent = hint.dataset.copiedText;
  });
}
