// A quiz or a set of flashcards: every answer is graded at once, with the model answer, why, and
// the section that teaches it; the item's next review moves with the result.
import {api, siteUrl} from "./api.js";
import {el} from "./dom.js";
import {card, lockAnswer, showItem} from "./study-card.js";

const VERDICTS = {correct: "Correct", partly: "Partly right", incorrect: "Not yet"};

export function feedbackFor(reply) {
  return [
    el("p", {class: `verdict ${reply.result}`}, VERDICTS[reply.result] || reply.result),
    el("p", {class: "expected"}, el("strong", {}, "Model answer: "), reply.expected),
    reply.explanation ? el("p", {class: "why"}, reply.explanation) : null,
    el("p", {class: "source"}, "Read: ",
      el("a", {href: siteUrl(reply.url)}, `${reply.title} › ${reply.section}`)),
  ];
}

/**
 * Run a quiz over `items`; `onAnswered()` after each graded answer (the page refreshes progress),
 * `onDone(summary)` at the end or on Stop.
 */
export function runQuiz({items, learner, label, onAnswered, onDone}) {
  const tally = {correct: 0, partly: 0, incorrect: 0};
  let index = 0;
  let busy = false;

  function show() {
    const item = items[index];
    card.next.hidden = true;
    card.back.hidden = true;
    card.finish.hidden = true;
    showItem(item, {position: index + 1, total: items.length, label, onAnswer: (answer, optionIndex) => grade(item, answer, optionIndex)});
  }

  async function grade(item, answer, optionIndex) {
    if (busy) return;
    busy = true;
    try {
      const reply = await api("/api/study/answer", {learner_id: learner, item_id: item.id, answer});
      tally[reply.result] += 1;
      lockAnswer();
      if (optionIndex !== undefined) {
        const buttons = card.form.querySelectorAll("button.option");
        buttons[optionIndex].setAttribute("aria-pressed", "true");
        buttons[optionIndex].classList.add(reply.result === "correct" ? "right" : "wrong");
        for (const button of buttons) if (button.lastChild.textContent === reply.expected) button.classList.add("right");
      }
      card.feedback.replaceChildren(...feedbackFor(reply).filter(Boolean),
        el("p", {class: "hint"}, `Next review: ${reply.next_due}`));
      card.next.textContent = index + 1 < items.length ? "Next question" : "See the summary";
      card.next.hidden = false;
      card.next.focus();
      onAnswered();
    } catch (err) {
      card.feedback.replaceChildren(el("p", {class: "error", role: "alert"}, err.message));
    } finally {
      busy = false;
    }
  }

  function finish() {
    card.next.onclick = card.stop.onclick = null;
    onDone({answered: tally.correct + tally.partly + tally.incorrect, ...tally, total: items.length});
  }

  card.next.onclick = () => {
    index += 1;
    if (index < items.length) show();
    else finish();
  };
  card.stop.onclick = finish;
  show();
}
