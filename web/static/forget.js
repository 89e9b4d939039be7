// "Delete conversation" on the chat page: removes the current conversation from the server
// (DELETE /api/conversations/{id}), then starts a new one in the page.
import {api} from "./api.js";

// Where the chat page keeps its conversation id (conversation.js's default storageKey).
const KEY = "assistant.conversation";
const button = document.getElementById("delete-conversation");
const status = document.getElementById("delete-status");

function storedId() {
  try { return localStorage.getItem(KEY); } catch { return null; }
}

button?.addEventListener("click", async () => {
  const id = storedId();
  if (!id) {
    status.textContent = "There is no saved conversation to delete.";
    return;
  }
  if (!window.confirm("Delete this conversation from the assistant? This cannot be undone.")) return;
  button.disabled = true;
  try {
    await api(`/api/conversations/${encodeURIComponent(id)}`, undefined, "DELETE");
    status.textContent = "The conversation was deleted.";
  } catch (err) {
    // Gone already (404): the page should forget it all the same.
    status.textContent = err.status === 404 ? "The conversation was already deleted." : err.message;
    if (err.status !== 404) return;
  } finally {
    button.disabled = false;
  }
  // The history list forgets it too (history.js), then the page and the stored id are cleared.
  document.dispatchEvent(new CustomEvent("conversation-deleted", {detail: {id}}));
  document.getElementById("new-conversation").click();
});
