// One answer: its text with [n] markers that open the cited passage in place, its sources,
// a copy button, closest topics when the assistant abstained, and the feedback controls.
import {siteUrl} from "./api.js";
import {el, icon} from "./dom.js";
import {feedbackControls} from "./feedback.js";

let counter = 0; // gives each answer on the page its own element ids

/** The element for `message` (an /api/ask reply or a stored message); `ask` asks a new question. */
export function renderAnswer(message, ask) {
  const uid = `answer-${++counter}`;
  const citations = message.citations || [];
  const byNumber = new Map(citations.map((c) => [c.n, c]));
  const cited = citations.filter((c) => c.cited);
  const sources = cited.length ? cited : citations;
  const panel = el("aside", {class: "passage", id: `${uid}-passage`, hidden: true, "aria-label": "Cited passage"});
  const markers = [];

  function toggle(marker, citation) {
    const open = marker.getAttribute("aria-expanded") === "true";
    for (const m of markers) m.setAttribute("aria-expanded", "false");
    if (open) {
      panel.hidden = true;
      return;
    }
    marker.setAttribute("aria-expanded", "true");
    panel.replaceChildren(
      el("div", {class: "passage-head"},
        el("h3", {}, `[${citation.n}] `, citation.title),
        el("button", {type: "button", class: "close", "aria-label": "Close the passage",
                      onclick: () => { toggle(marker, citation); marker.focus(); }}, "×")),
      el("p", {class: "passage-section"}, citation.section),
      el("blockquote", {class: "passage-text"}, citation.text),
      el("a", {href: siteUrl(citation.url)}, "Read this section in the article"));
    panel.hidden = false;
  }

  // "[n]" in the answer becomes a button for citation n; everything else stays plain text.
  const text = el("p", {class: "answer-text"});
  for (const part of message.answer.split(/(\[\d+\])/)) {
    const citation = byNumber.get(Number(part.slice(1, -1)));
    if (!/^\[\d+\]$/.test(part) || !citation) {
      text.append(part);
      continue;
    }
    const marker = el("button", {type: "button", class: "cite", "aria-expanded": "false",
                                 "aria-controls": panel.id,
                                 "aria-label": `Source ${citation.n}: ${citation.title}, ${citation.section}`}, part);
    marker.addEventListener("click", () => toggle(marker, citation));
    markers.push(marker);
    text.append(marker);
  }

  const body = el("article", {class: message.abstained ? "answer abstained" : "answer", "aria-label": "Answer"},
    message.abstained ? el("p", {class: "badge"}, "Not covered by the corpus") : null,
    text, panel);
  if (sources.length) {
    body.append(el("h3", {class: "sources-heading"}, "Sources"), sourceList(sources));
  }
  if (message.abstained && message.suggestions?.length) {
    body.append(el("h3", {class: "sources-heading"}, "Closest topics"), el("ul", {class: "suggestions"},
      message.suggestions.map((s) => el("li", {},
        el("button", {type: "button", class: "suggestion", onclick: () => ask(`Tell me about ${s.title}`)},
          `Tell me about ${s.title}`),
        " ", el("a", {href: siteUrl(s.url), "aria-label": `Read the article ${s.title}`}, "read")))));
  }
  body.append(el("div", {class: "answer-actions"}, copyButton(message, sources),
    message.message_id ? feedbackControls(message.message_id, uid) : null));
  return body;
}

function sourceList(citations) {
  return el("ol", {class: "sources"}, citations.map((c) => el("li", {},
    el("a", {href: siteUrl(c.url)}, `[${c.n}] ${c.title}`),
    el("span", {class: "section"}, ` — ${c.section}`))));
}

// What the copy button puts on the clipboard: the answer, then one line per source with its link.
function plainText(message, sources) {
  const lines = [message.answer];
  if (sources.length) {
    lines.push("", "Sources:", ...sources.map((c) =>
      `[${c.n}] ${c.title} — ${c.section}: ${new URL(siteUrl(c.url), location.href).href}`));
  }
  return lines.join("\n");
}

function copyButton(message, sources) {
  const label = el("span", {"aria-live": "polite"}, "Copy");
  const button = el("button", {type: "button", class: "secondary copy"}, icon("copy"), label);
  button.addEventListener("click", async () => {
    try {
      await writeClipboard(plainText(message, sources));
      label.textContent = "Copied";
    } catch {
      label.textContent = "Copy failed";
    }
    setTimeout(() => { label.textContent = "Copy"; }, 2000);
  });
  return button;
}

// The Clipboard API exists only on https and localhost; elsewhere fall back to a selected textarea.
async function writeClipboard(text) {
  if (navigator.clipboard) return navigator.clipboard.writeText(text);
  const area = el("textarea", {class: "offscreen", readonly: true}, text);
  document.body.append(area);
  area.select();
  const copied = document.execCommand("copy");
  area.remove();
  if (!copied) throw new Error("copy refused");
}
