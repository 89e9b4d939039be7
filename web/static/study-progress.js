// The learner's progress: totals, a per-topic mastery chart drawn as SVG (weakest topics first),
// and export and delete of everything stored under the browser's anonymous id.
import {api, base} from "./api.js";
import {el} from "./dom.js";
import {topicName} from "./study-card.js";

const SVG = "http://www.w3.org/2000/svg";
const ROW = 46; // px per topic: its label line and its bar
const summary = document.getElementById("progress-summary");
const chart = document.getElementById("progress-chart");

/** An SVG element with attributes and children (strings become text nodes). */
function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  node.append(...children.flat());
  return node;
}

const percent = (value) => `${Math.round(value * 100)}%`;
const count = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function describe(t) {
  if (!t.seen) return `${topicName(t.topic)}: not started (${t.items} items)`;
  return `${topicName(t.topic)}: mastery ${percent(t.mastery)}, ${t.seen} of ${t.items} items seen, ` +
    `${t.learned} learned, ${t.due} due`;
}

/** Horizontal bars of mastery per topic; percentages keep it fluid from phone to desktop width. */
export function masteryChart(topics) {
  const height = topics.length * ROW;
  return svg("svg", {class: "mastery-chart", width: "100%", height, role: "img",
    "aria-labelledby": "mastery-title mastery-desc"},
  svg("title", {id: "mastery-title"}, "Mastery per topic, weakest first"),
  svg("desc", {id: "mastery-desc"}, topics.map(describe).join("; ") + "."),
  topics.map((t, i) => svg("g", {class: t.seen ? "topic" : "topic new"},
    svg("text", {x: 0, y: i * ROW + 15, class: "label"}, t.seen
      ? `${topicName(t.topic)} · ${percent(t.mastery)} · ${t.seen} seen · ${t.due} due`
      : `${topicName(t.topic)} · not started`),
    svg("rect", {x: 0, y: i * ROW + 22, width: "100%", height: 14, rx: 4, class: "track"}),
    svg("rect", {x: 0, y: i * ROW + 22, width: percent(t.mastery), height: 14, rx: 4, class: "bar"}))));
}

export async function refreshProgress(learner) {
  try {
    const progress = await api(`/api/study/progress?learner_id=${encodeURIComponent(learner)}`);
    summary.textContent = progress.answered
      ? `${count(progress.answered, "answer")} so far: ${count(progress.seen, "item")} seen, ` +
        `${progress.learned} learned, ${progress.due_today} due for review today.`
      : "Nothing answered yet: start a quiz and your progress per topic appears here.";
    chart.replaceChildren(masteryChart(progress.topics));
    return progress;
  } catch (err) {
    summary.replaceChildren(el("span", {class: "error"}, err.message));
    return null;
  }
}

/** Export is a plain link to the JSON download; delete asks first. */
export function wireProgressActions(learner, {onDeleted}) {
  const link = document.getElementById("export-progress");
  link.href = `${base}/api/study/progress/export?learner_id=${encodeURIComponent(learner)}`;
  document.getElementById("delete-progress").addEventListener("click", async () => {
    if (!window.confirm("Delete all your study progress, answers and exams? This cannot be undone.")) return;
    try {
      const reply = await api(`/api/study/progress?learner_id=${encodeURIComponent(learner)}`, undefined, "DELETE");
      await refreshProgress(learner);
      summary.textContent = `Deleted: ${count(reply.deleted.answers, "answer")}, ` +
        `${count(reply.deleted.progress, "item")} and ${count(reply.deleted.exams, "exam")}. You start afresh.`;
      onDeleted();
    } catch (err) {
      summary.replaceChildren(el("span", {class: "error"}, err.message));
    }
  });
}
