// A timed mock exam: answers are saved as the learner moves on, with no feedback until the end;
// then a score report by topic with the sections to reread and every question marked.
import {api, siteUrl} from "./api.js";
import {el} from "./dom.js";
import {card, showItem, topicName} from "./study-card.js";

const report = document.getElementById("study-report");
const clock = document.getElementById("exam-clock");
const clockText = document.getElementById("clock-text");
const clockAnnouncer = document.getElementById("clock-announcer");
const RESULT_NAMES = {correct: "Correct", partly: "Partly right", incorrect: "Not yet", unanswered: "Not answered"};
const ANNOUNCE_AT = new Set([600, 300, 60]); // seconds left

const minutesAndSeconds = (s) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;

/** Start an exam and run it; `onDone(exam)` once it is marked (or on Stop, with null). */
export async function runExam({learner, topics, questions, minutes, onDone}) {
  const exam = await api("/api/study/exams", {learner_id: learner, topics, questions, minutes});
  const answers = {...exam.answers};
  const saved = {...exam.answers};
  const deadline = Date.now() + exam.seconds_left * 1000;
  let index = 0;
  let timer = null;
  let over = false;

  async function save() {
    const changed = Object.entries(answers).filter(([id, answer]) => saved[id] !== answer);
    if (!changed.length) return;
    await api(`/api/study/exams/${encodeURIComponent(exam.id)}/answers`,
      {answers: changed.map(([item_id, answer]) => ({item_id, answer}))});
    for (const [id, answer] of changed) saved[id] = answer;
  }

  function keepText() {
    const input = document.getElementById("answer-input");
    if (input) answers[exam.items[index].id] = input.value;
  }

  function show() {
    const item = exam.items[index];
    showItem(item, {
      position: index + 1, total: exam.items.length, label: "Mock exam", chosen: answers[item.id] || "",
      submitLabel: "Save and go on",
      onAnswer: (answer, optionIndex) => {
        answers[item.id] = answer;
        if (optionIndex !== undefined) {
          card.form.querySelectorAll("button.option").forEach((button, i) =>
            button.setAttribute("aria-pressed", String(i === optionIndex)));
          card.feedback.replaceChildren(el("p", {class: "hint"}, "Answer saved; you can change it until you finish."));
          (index + 1 < exam.items.length ? card.next : card.finish).focus();
        } else {
          move(1);
        }
      },
    });
    card.back.hidden = index === 0;
    card.next.hidden = index + 1 >= exam.items.length;
    card.next.textContent = "Next question";
    card.finish.hidden = false;
  }

  async function move(step) {
    keepText();
    try {
      await save();
    } catch (err) {
      card.feedback.replaceChildren(el("p", {class: "error", role: "alert"}, err.message));
      return;
    }
    if (step > 0 && index + 1 >= exam.items.length) {
      card.feedback.replaceChildren(el("p", {class: "hint"}, "That was the last question: finish the exam when you are ready."));
      card.finish.focus();
      return;
    }
    index = Math.min(Math.max(index + step, 0), exam.items.length - 1);
    show();
  }

  async function finish() {
    if (over) return;
    over = true;
    keepText();
    clearInterval(timer);
    try {
      await save().catch(() => {}); // out of time: the server refuses late answers and marks what it has
      const marked = await api(`/api/study/exams/${encodeURIComponent(exam.id)}/answers`, {answers: [], finish: true})
        .catch(() => api(`/api/study/exams/${encodeURIComponent(exam.id)}`));
      showReport(marked);
      onDone(marked);
    } catch (err) {
      over = false;
      card.feedback.replaceChildren(el("p", {class: "error", role: "alert"}, err.message));
    }
  }

  function tick() {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    clockText.textContent = minutesAndSeconds(left);
    if (ANNOUNCE_AT.has(left)) clockAnnouncer.textContent = `${Math.round(left / 60)} minutes left.`;
    if (left === 0) finish();
  }

  card.back.onclick = () => move(-1);
  card.next.onclick = () => move(1);
  card.finish.onclick = finish;
  card.stop.onclick = () => {
    over = true;
    clearInterval(timer);
    clock.hidden = true;
    onDone(null);
  };
  report.hidden = true;
  clock.hidden = false;
  tick();
  timer = setInterval(tick, 1000);
  show();
}

export function showReport(exam) {
  const {score, by_topic: topics, results} = exam.report;
  clock.hidden = true;
  card.section.hidden = true;
  report.replaceChildren(
    el("h2", {id: "report-heading"}, `Mock exam result: ${score.percent}%`),
    el("p", {}, `${score.correct} correct, ${score.partly} partly right, ${score.incorrect} not yet and ` +
      `${score.unanswered} not answered, of ${score.total} questions.`),
    el("h3", {}, "By topic, weakest first"),
    el("table", {class: "report-table"},
      el("thead", {}, el("tr", {}, ["Topic", "Score", "Right", "Reread"].map((h) => el("th", {scope: "col"}, h)))),
      el("tbody", {}, topics.map((t) => el("tr", {},
        el("th", {scope: "row"}, topicName(t.topic)),
        el("td", {}, `${t.percent}%`),
        el("td", {}, `${t.correct} of ${t.total}`),
        el("td", {}, t.reread.length ? el("ul", {class: "reread"}, t.reread.map((r) =>
          el("li", {}, el("a", {href: siteUrl(r.url)}, `${r.title} › ${r.section}`)))) : "Nothing missed"))))),
    el("h3", {}, "Every question"),
    el("ol", {class: "results"}, results.map((r) => el("li", {class: `result ${r.result}`},
      el("p", {class: "prompt"}, r.prompt),
      el("p", {}, el("strong", {}, "Your answer: "), r.answer || "—"),
      el("p", {class: `verdict ${r.result}`}, RESULT_NAMES[r.result] || r.result),
      el("p", {}, el("strong", {}, "Model answer: "), r.expected),
      el("p", {class: "why"}, r.explanation),
      el("p", {class: "source"}, "Read: ", el("a", {href: siteUrl(r.url)}, `${r.title} › ${r.section}`))))),
  );
  report.hidden = false;
  report.focus();
}
