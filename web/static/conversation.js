// The conversation shared by the chat page and the embedded widget: asks questions, shows
// answers, keeps the conversation across reloads. Both pages use the same element ids.
import {api} from "./api.js";
import {renderAnswer} from "./answer.js";
import {el} from "./dom.js";

/**
 * Wire up the page's chat elements and return {restore, focus}.
 * `storageKey`: where the conversation id is kept in localStorage (the widget keeps one per host
 * origin); `filters`: topic/audience filters sent with every question, or null.
 */
export function startChat({storageKey = "assistant.conversation", filters = null} = {}) {
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
      turn.append(renderAnswer(reply, ask));
      announce((reply.abstained ? "Not covered: " : "Answer: ") + reply.answer);
    } catch (err) {
      if (err.status === 404 && conversationId) forget(); // the stored conversation is gone
      // Over the hourly quota is not a fault: say so calmly, not in error red.
      turn.append(el("p", {class: err.status === 429 ? "notice" : "error", role: "alert"}, err.message));
      if (!input.value) input.value = question;
    } finally {
      setBusy(false);
      input.focus({preventScroll: true});
      turn.scrollIntoView({block: "start"});
    }
  }

  function forget() {
    conversationId = null;
    stored.clear();
  }

  function newConversation() {
    forget();
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
      for (const message of history.messages) addTurn(message.question).append(renderAnswer(message, ask));
      list.lastElementChild?.scrollIntoView({block: "start"});
    } catch (err) {
      if (err.status === 404) forget();
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
  return {restore, focus: () => input.focus()};
}
