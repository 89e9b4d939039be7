// The visitor's past conversations, kept in this browser only: conversation ids are bearer tokens,
// so the server never lists them. Each entry: {id, title, named, at, questions}; the chat page
// shows them in a sidebar (a drawer on phones) to open, rename, delete and search.
import {api} from "./api.js";
import {el} from "./dom.js";

const KEY = "assistant.history";
const MAX_ENTRIES = 200; // the oldest beyond this are dropped from the list (not from the server)

function load() {
  try {
    const entries = JSON.parse(localStorage.getItem(KEY) || "[]");
    return Array.isArray(entries) ? entries.filter((e) => e && typeof e.id === "string") : [];
  } catch {
    return [];
  }
}

function save(entries) {
  try { localStorage.setItem(KEY, JSON.stringify(entries.slice(0, MAX_ENTRIES))); } catch { /* not kept */ }
}

/** The stored list, newest first, and the changes the chat makes to it. */
export const conversations = {
  list: () => load().sort((a, b) => String(b.at).localeCompare(String(a.at))),
  get: (id) => load().find((e) => e.id === id),
  /** Note a question asked in conversation `id` (a new entry takes the question as its title). */
  record(id, question, at = new Date().toISOString()) {
    const entries = load();
    let entry = entries.find((e) => e.id === id);
    if (!entry) {
      entry = {id, title: question, named: false, at, questions: []};
      entries.unshift(entry);
    }
    if (!entry.questions.includes(question)) entry.questions.push(question);
    if (at > entry.at) entry.at = at;
    save(entries);
  },
  rename(id, title) {
    const entries = load();
    const entry = entries.find((e) => e.id === id);
    if (!entry) return;
    const named = title.trim();
    entry.title = named || entry.questions[0] || entry.title;
    entry.named = Boolean(named);
    save(entries);
  },
  remove: (id) => save(load().filter((e) => e.id !== id)),
};

/** Whether `entry` matches every word of `query` in its title or its questions. */
function matches(entry, query) {
  const text = [entry.title, ...entry.questions].join(" ").toLowerCase();
  return query.toLowerCase().split(/\s+/).filter(Boolean).every((word) => text.includes(word));
}

/**
 * Wire the history panel of the chat page to `chat` (conversation.js's startChat result) and
 * return {refresh}. On narrow screens the panel is a drawer opened by the History button.
 */
export function startHistory(chat) {
  const panel = document.getElementById("history");
  const list = document.getElementById("history-list");
  const search = document.getElementById("history-search");
  const empty = document.getElementById("history-empty");
  const status = document.getElementById("history-status");
  const toggle = document.getElementById("history-toggle");
  const close = document.getElementById("history-close");
  const drawer = window.matchMedia("(max-width: 63.99rem)");

  function refresh() {
    const all = conversations.list();
    const shown = all.filter((entry) => matches(entry, search.value));
    list.replaceChildren(...shown.map((entry) => item(entry)));
    empty.textContent = all.length ? "No conversation matches the search." : "No conversations yet.";
    empty.hidden = shown.length > 0;
  }

  function item(entry) {
    const current = entry.id === chat.current();
    const date = new Date(entry.at);
    const open = el("button", {type: "button", class: "history-open", "aria-current": current ? "true" : null,
                               onclick: () => { chat.open(entry.id); setDrawer(false); refresh(); }},
      el("span", {class: "history-title"}, entry.title),
      el("time", {class: "history-date", datetime: entry.at},
        Number.isNaN(date.getTime()) ? "" : date.toLocaleDateString(undefined, {dateStyle: "medium"})));
    const row = el("li", {class: "history-item", "data-id": entry.id}, open,
      el("span", {class: "history-actions"},
        el("button", {type: "button", class: "secondary small", "aria-label": `Rename “${entry.title}”`,
                      onclick: () => rename(entry, row)}, "Rename"),
        el("button", {type: "button", class: "secondary small", "aria-label": `Delete “${entry.title}”`,
                      onclick: () => remove(entry)}, "Delete")));
    return row;
  }

  function rename(entry, row) {
    const input = el("input", {type: "text", value: entry.title, maxlength: 120, class: "history-rename",
                               "aria-label": "New name for the conversation"});
    let finished = false; // Enter or Escape, then the blur of the removed field: act once
    const done = (keep) => {
      if (finished) return;
      finished = true;
      if (keep) conversations.rename(entry.id, input.value);
      refresh();
      list.querySelector(`[data-id="${CSS.escape(entry.id)}"] .history-open`)?.focus();
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); done(true); }
      if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); done(false); }
    });
    input.addEventListener("blur", () => done(true), {once: true});
    row.replaceChildren(input);
    input.focus();
    input.select();
  }

  async function remove(entry) {
    if (!window.confirm(`Delete “${entry.title}” from the assistant? This cannot be undone.`)) return;
    try {
      await api(`/api/conversations/${encodeURIComponent(entry.id)}`, undefined, "DELETE");
    } catch (err) {
      if (err.status !== 404) { // gone already: forget it all the same
        status.textContent = err.message;
        return;
      }
    }
    conversations.remove(entry.id);
    if (entry.id === chat.current()) chat.newConversation();
    status.textContent = `Deleted “${entry.title}”.`;
    refresh();
    search.focus();
  }

  function setDrawer(open) {
    if (!drawer.matches) return;
    panel.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", String(open));
    if (open) search.focus();
    else toggle.focus();
  }

  toggle.addEventListener("click", () => setDrawer(!panel.classList.contains("open")));
  close.addEventListener("click", () => setDrawer(false));
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && panel.classList.contains("open")) setDrawer(false);
  });
  search.addEventListener("input", refresh);
  // Other tabs of the chat change the list too.
  window.addEventListener("storage", (event) => { if (event.key === KEY) refresh(); });
  document.addEventListener("conversation-deleted", (event) => {
    conversations.remove(event.detail.id);
    refresh();
  });
  refresh();
  return {refresh};
}
