// One study item on the card: its prompt, and numbered option buttons or a text field to answer in.
import {el} from "./dom.js";

export const card = {
  section: document.getElementById("study-card"),
  meta: document.getElementById("card-meta"),
  prompt: document.getElementById("card-prompt"),
  form: document.getElementById("answer-form"),
  feedback: document.getElementById("card-feedback"),
  back: document.getElementById("card-back"),
  next: document.getElementById("card-next"),
  finish: document.getElementById("card-finish"),
  stop: document.getElementById("card-stop"),
};

const KIND_NAMES = {check: "Question", flashcard: "Flashcard", choice: "Multiple choice", calculation: "Calculation"};
export const topicName = (topic) => ({sla: "SLA"}[topic] || (topic.charAt(0).toUpperCase() + topic.slice(1)).replaceAll("-", " "));

/**
 * Show `item`; `onAnswer(text)` is called with the option chosen or the text entered.
 * `chosen`: an answer given before (exam), shown selected or filled in.
 */
export function showItem(item, {position, total, label, chosen = "", onAnswer, submitLabel = "Answer"}) {
  card.section.hidden = false;
  card.meta.textContent = `${label} · ${position} of ${total} · ${topicName(item.topic)} · ${KIND_NAMES[item.kind] || item.kind}`;
  card.prompt.textContent = item.prompt;
  card.feedback.replaceChildren();
  card.form.onsubmit = null;
  if (item.options) {
    const buttons = item.options.map((option, i) => el("button", {
      type: "button", class: "option", "aria-keyshortcuts": String(i + 1),
      "aria-pressed": option === chosen ? "true" : "false",
      onclick: () => onAnswer(option, i),
    }, el("span", {class: "key", "aria-hidden": "true"}, String(i + 1)), el("span", {}, option)));
    card.form.replaceChildren(el("div", {class: "options", role: "group", "aria-labelledby": "card-prompt"}, buttons));
    card.form.onsubmit = (event) => event.preventDefault();
  } else {
    const input = el("input", {id: "answer-input", type: "text", autocomplete: "off", maxlength: "2000",
      "aria-describedby": "answer-hint"});
    input.value = chosen;
    card.form.replaceChildren(
      el("label", {for: "answer-input"}, item.kind === "calculation" ? "Your answer (a figure, with its unit if any)" : "Your answer"),
      el("div", {class: "answer-row"}, input, el("button", {type: "submit", class: "primary"}, submitLabel)),
      el("p", {id: "answer-hint", class: "hint"}, "Enter answers; an empty answer shows the model answer."),
    );
    card.form.onsubmit = (event) => {
      event.preventDefault();
      onAnswer(input.value);
    };
  }
  card.prompt.focus({preventScroll: true});
  return card;
}

/** The option buttons and text field stop taking answers (after grading). */
export function lockAnswer() {
  for (const control of card.form.querySelectorAll("button, input")) control.disabled = true;
}

/** Keys 1-4 choose an option, unless the learner is typing somewhere. */
document.addEventListener("keydown", (event) => {
  if (card.section.hidden || event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.target.closest && event.target.closest("input, textarea, select")) return;
  const index = Number(event.key) - 1;
  if (!(index >= 0 && index <= 8)) return;
  const option = card.form.querySelectorAll("button.option")[index];
  if (option && !option.disabled) {
    event.preventDefault();
    option.click();
  }
});
