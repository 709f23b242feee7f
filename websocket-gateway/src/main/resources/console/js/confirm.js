// Asks for a destructive action to be confirmed by typing a word (the stream's name) in the page's dialog.
export function confirmByTyping(title, text, word) {
  const dialog = document.getElementById("confirm");
  const input = document.getElementById("confirm-input");
  const ok = document.getElementById("confirm-ok");
  document.getElementById("confirm-title").textContent = title;
  document.getElementById("confirm-text").textContent = text;
  document.getElementById("confirm-word").textContent = word;
  input.value = "";
  ok.disabled = true;
  input.oninput = () => { ok.disabled = input.value !== word; };
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise(resolve => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}
