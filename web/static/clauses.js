// The clause library: live filtering of the list (through /api/clauses, the same search as the
// server's) and the copy button on a clause page. Elements are changed, never parsed from HTML.
import {api} from "./api.js";

const list = document.getElementById("clause-list");
if (list) {
  const form = document.querySelector(".clause-filter");
  const count = document.getElementById("clause-count");
  const none = document.getElementById("clause-none");
  const items = [...list.querySelectorAll("li[data-type]")];
  let latest = 0;

  async function filter() {
    const ticket = ++latest;
    const query = new URLSearchParams({q: form.q.value, topic: form.topic.value});
    let found;
    try {
      found = new Set((await api(`/api/clauses?${query}`)).map((entry) => entry.type));
    } catch (error) {
      count.textContent = error.message;
      return;
    }
    if (ticket !== latest) return; // a newer search has been sent meanwhile
    for (const item of items) item.hidden = !found.has(item.dataset.type);
    none.hidden = found.size > 0;
    count.textContent = `${found.size} of ${items.length} clause types`;
    const url = new URL(location.href);
    url.search = [...query].some(([, value]) => value) ? query : "";
    history.replaceState(null, "", url);
  }

  let timer;
  form.q.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(filter, 150);
  });
  form.topic.addEventListener("change", filter);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    filter();
  });
}

for (const button of document.querySelectorAll("button[data-copy]")) {
  const source = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector(".copy-status");
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(source.textContent);
      status.textContent = "Copied to the clipboard.";
    } catch {
      // No clipboard access (an insecure page or a refused permission): select it for Ctrl+C.
      const range = document.createRange();
      range.selectNodeContents(source);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      status.textContent = "Selected: press Ctrl+C (or ⌘C) to copy.";
    }
  });
}
