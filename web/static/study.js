// The study page: choose topics and a mode, then a quiz or flashcards (each answer graded at once)
// or a timed mock exam (marked at the end); progress per topic below. Built with el(), never HTML.
import {api} from "./api.js";
import {card} from "./study-card.js";
import {runExam} from "./study-exam.js";
import {refreshProgress, wireProgressActions} from "./study-progress.js";
import {runQuiz} from "./study-quiz.js";

const setup = document.getElementById("study-setup");
const form = document.getElementById("setup-form");
const everything = document.getElementById("topic-all");
const topicBoxes = [...form.querySelectorAll('input[name="topic"]')];
const setupError = document.getElementById("setup-error");
const report = document.getElementById("study-report");
const summary = document.getElementById("progress-summary");

/** The learner: an anonymous random id kept in this browser (no login). */
function learnerId() {
  const make = () => [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
  try {
    let id = localStorage.getItem("assistant.learner");
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      id = make();
      localStorage.setItem("assistant.learner", id);
    }
    return id;
  } catch {
    return make(); // storage blocked: progress lasts for this visit only
  }
}

const learner = learnerId();

function chosenTopics() {
  return everything.checked ? [] : topicBoxes.filter((box) => box.checked).map((box) => box.value);
}

everything.addEventListener("change", () => {
  if (everything.checked) for (const box of topicBoxes) box.checked = false;
  else if (!topicBoxes.some((box) => box.checked)) everything.checked = true;
});
for (const box of topicBoxes) {
  box.addEventListener("change", () => {
    everything.checked = !topicBoxes.some((b) => b.checked);
  });
}

function showError(message) {
  setupError.textContent = message;
  setupError.hidden = false;
}

function backToSetup(message) {
  card.section.hidden = true;
  setup.hidden = false;
  if (message) summary.textContent = message;
  refreshProgress(learner);
  document.getElementById("start").focus();
}

/** Items for a quiz: `count` across the chosen topics, due items first for this learner. */
async function quizItems(topics, kind, count) {
  const query = (topic) => {
    const params = new URLSearchParams({n: String(Math.min(count, 50)), learner_id: learner});
    if (topic) params.set("topic", topic);
    if (kind) params.set("kind", kind);
    return api(`/api/study/items?${params}`);
  };
  const replies = await Promise.all((topics.length ? topics : [null]).map(query));
  const lists = replies.map((reply) => reply.items);
  const items = [];
  for (let i = 0; items.length < count && lists.some((list) => i < list.length); i++) {
    for (const list of lists) if (i < list.length && items.length < count) items.push(list[i]); // take turns
  }
  return items;
}

async function start(mode, topics, count, minutes) {
  setupError.hidden = true;
  report.hidden = true;
  try {
    if (mode === "exam") {
      setup.hidden = true;
      await runExam({learner, topics, questions: count, minutes,
        onDone: (exam) => backToSetup(exam ? null : "Exam stopped; it stays unmarked.")});
      return;
    }
    const items = await quizItems(topics, mode === "flashcards" ? "flashcard" : null, count);
    if (!items.length) {
      showError("There are no items for that choice.");
      return;
    }
    setup.hidden = true;
    runQuiz({items, learner, label: mode === "flashcards" ? "Flashcards" : "Quiz",
      onAnswered: () => refreshProgress(learner),
      onDone: (tally) => backToSetup(`Done: ${tally.correct} correct, ${tally.partly} partly right and ` +
        `${tally.incorrect} not yet, of ${tally.answered} answered.`)});
  } catch (err) {
    setup.hidden = false;
    card.section.hidden = true;
    showError(err.message);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (!form.reportValidity()) return;
  const mode = form.elements.mode.value;
  start(mode, chosenTopics(), Number(form.elements.count.value), Number(form.elements.minutes.value));
});

document.getElementById("review-due").addEventListener("click", async () => {
  const progress = await refreshProgress(learner);
  if (!progress || !progress.due_today) {
    summary.textContent = "Nothing is due for review today. Start a quiz to learn new items.";
    return;
  }
  start("quiz", [], Math.min(progress.due_today, 50));
});

wireProgressActions(learner, {onDeleted: () => {}});
refreshProgress(learner);

// Links such as /study?topic=sla&mode=quiz (offered in the chat) choose and start at once.
const params = new URLSearchParams(location.search);
const wanted = params.get("topic");
if (wanted && topicBoxes.some((box) => box.value === wanted)) {
  everything.checked = false;
  for (const box of topicBoxes) box.checked = box.value === wanted;
}
const mode = params.get("mode");
if (["quiz", "flashcards", "exam"].includes(mode)) {
  form.querySelector(`input[name="mode"][value="${mode}"]`).checked = true;
  start(mode, chosenTopics(), Number(form.elements.count.value), Number(form.elements.minutes.value));
}
