// The console's only script of its own: "select all" for the queue's bulk actions. Everything
// else is plain forms and htmx attributes.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (box instanceof HTMLInputElement && box.id === "pick-all") {
    for (const pick of document.querySelectorAll('input[name="refs"]')) pick.checked = box.checked;
  }
});
