// The conversation shared by the chat page and the embedded widget: asks questions, shows
// answers, keeps the conversation across reloads. Both pages use the same element ids.
import {api} from "./api.js";
import {renderAnswer} from "./answer.js";
import {el} from "./dom.js";

/**
 * Wire up the page's chat elements and return {restore, focus, open, current, newConversation,
 * setFilters}.
 * `storageKey`: where the conversation id is kept in localStorage (the widget keeps one per host
 * origin); `filters`: topic/audience/doc filters sent with every question, or null;
 * `onQuestion(id, question, at)`: told of every question of the conversation `id`, asked or restored;
 * `onGone(id)`: told when the server no longer has the conversation `id`.
 */
export function startChat({storageKey = "assistant.conversation", filters = null, onQuestion = () => {},
                           onGone = () => {}} = {}) {
  const form = document.getElementById("ask-form");
  const input = document.getElementById("question");
  const send = document.getElementById("send");
  const list = document.getElementById("messages");
  const starters = document.getElementById("starters");
  const thinking = document.getElementById("thinking");
  const announcer = document.getElementById("announcer");
  let busy = false;

  // localStorage can be unavailable (private modes, blocked storage); the chat then just forgets.
  const stored = {
    get: () => { try { return localStorage.getItem(storageKey); } catch { return null; } },
    set: (id) => { try { localStorage.setItem(storageKey, id); } catch { /* not kept */ } },
    clear: () => { try { localStorage.removeItem(storageKey); } catch { /* nothing kept */ } },
  };
  let conversationId = stored.get();

  function announce(text) {
    // Clearing first makes a repeated message count as new for screen readers.
    announcer.textContent = "";
    setTimeout(() => { announcer.textContent = text; }, 50);
  }

  function addTurn(question) {
    const turn = el("li", {class: "turn"},
      el("div", {class: "question"}, el("span", {class: "visually-hidden"}, "You asked: "), question));
    list.append(turn);
    starters.hidden = true;
    return turn;
  }

  function setBusy(on) {
    busy = on;
    thinking.hidden = !on;
    send.disabled = on;
    list.setAttribute("aria-busy", String(on));
  }

  async function ask(question) {
    question = question.trim();
    if (!question || busy) return;
    const turn = addTurn(question);
    input.value = "";
    setBusy(true);
    turn.scrollIntoView({block: "nearest"});
    const body = conversationId ? {question, conversation_id: conversationId} : {question};
    if (filters) body.filters = filters;
    try {
      const reply = await api("/api/ask", body);
      conversationId = reply.conversation_id;
      stored.set(conversationId);
      onQuestion(conversationId, question, new Date().toISOString());
      turn.append(renderAnswer(reply, ask));
      announce((reply.abstained ? "Not covered: " : "Answer: ") + reply.answer);
    } catch (err) {
      if (err.status === 404 && conversationId) forget(true); // the stored conversation is gone
      // Over the hourly quota is not a fault: say so calmly, not in error red.
      turn.append(el("p", {class: err.status === 429 ? "notice" : "error", role: "alert"}, err.message));
      if (!input.value) input.value = question;
    } finally {
      setBusy(false);
      input.focus({preventScroll: true});
      turn.scrollIntoView({block: "start"});
    }
  }

  function forget(gone = false) {
    if (gone && conversationId) onGone(conversationId);
    conversationId = null;
    stored.clear();
  }

  function newConversation() {
    forget(); // the server keeps it, and the chat page's history still lists it
    list.replaceChildren();
    starters.hidden = false;
    input.value = "";
    input.focus();
    announce("New conversation started.");
  }

  async function restore() {
    if (!conversationId) return;
    setBusy(true);
    try {
      const history = await api(`/api/conversations/${encodeURIComponent(conversationId)}`);
      for (const message of history.messages) {
        addTurn(message.question).append(renderAnswer(message, ask));
        onQuestion(history.conversation_id, message.question, message.created_at);
      }
      list.lastElementChild?.scrollIntoView({block: "start"});
    } catch (err) {
      if (err.status === 404) forget(true);
      else list.append(el("li", {class: "error", role: "alert"}, err.message));
    } finally {
      setBusy(false);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ask(input.value);
  });
  input.addEventListener("keydown", (event) => {
    // Enter sends; Shift+Enter and IME composition keep their usual meaning.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ask(input.value);
    }
  });
  starters.addEventListener("click", (event) => {
    const button = event.target.closest("button.starter");
    if (button) ask(button.dataset.question);
  });
  document.getElementById("new-conversation").addEventListener("click", newConversation);

  /** Show the stored conversation `id` in place of the current one. */
  function open(id) {
    if (busy) return null;
    conversationId = id;
    stored.set(id);
    list.replaceChildren();
    return restore();
  }

  return {restore, open, newConversation, focus: () => input.focus(), current: () => conversationId,
          setFilters: (value) => { filters = value; }};
}
