// The chat page: the shared conversation, restored from the last visit, with the visitor's
// history of conversations, Markdown export, and an optional one-article filter (?doc=<id>).
import "./quiz-offer.js"; // first, so it sees the question before the chat clears the composer
import {startChat} from "./conversation.js";
import {exportConversation} from "./export.js";
import {conversations, startHistory} from "./history.js";
import "./forget.js"; // the "Delete conversation" button

const KEY = "assistant.conversation"; // conversation.js's default storageKey

// "Open the full assistant" in the widget links here with #conversation=<id>: a fragment, so the
// id (a bearer token) never reaches a server log or a Referer. Adopt it, then drop it from the URL.
const linked = /^#conversation=([\w-]{1,100})$/.exec(location.hash);
if (linked) {
  try { localStorage.setItem(KEY, linked[1]); } catch { /* shown once, not kept */ }
  history.replaceState(null, "", location.pathname + location.search);
}

const data = document.body.dataset;
let sidebar = null;
const chat = startChat({
  filters: data.doc ? {doc: data.doc} : null,
  onQuestion: (id, question, at) => { conversations.record(id, question, at); sidebar?.refresh(); },
  onGone: (id) => { conversations.remove(id); sidebar?.refresh(); },
});
sidebar = startHistory(chat);
chat.restore();

document.getElementById("export-conversation").addEventListener("click", () =>
  exportConversation(chat.current(), document.getElementById("delete-status")));

// Asked from an article's "Ask about this article": only that article answers, until cleared.
if (data.doc) {
  const chip = document.getElementById("doc-filter");
  const link = document.getElementById("doc-filter-link");
  link.textContent = data.docTitle;
  link.href = `${document.body.dataset.base || ""}/docs/${encodeURIComponent(data.doc)}`;
  chip.hidden = false;
  document.getElementById("doc-filter-clear").addEventListener("click", () => {
    chat.setFilters(null);
    chip.hidden = true;
    history.replaceState(null, "", location.pathname);
    chat.focus();
  });
}

// One Shift+Tab from the question box reaches this button; it moves to the latest answer, whose
// citations come next in the Tab order.
const toAnswer = document.getElementById("to-answer");
const messages = document.getElementById("messages");
new MutationObserver(() => { toAnswer.hidden = !messages.querySelector(".answer"); })
  .observe(messages, {childList: true, subtree: true});
toAnswer.addEventListener("click", () => {
  const answers = messages.querySelectorAll(".answer");
  answers[answers.length - 1]?.focus();
});
