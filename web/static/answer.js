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
      el("p", {class: "passage-section"}, ownDocument(citation) ? citation.label : citation.section),
      el("blockquote", {class: "passage-text"}, citation.text),
      el("a", {href: siteUrl(citation.url), target: "_blank"}, "Read this section in the article"));
    panel.hidden = false;
  }

  // A button that opens citation n's passage in place.
  function marker(citation) {
    const button = el("button", {type: "button", class: "cite", "aria-expanded": "false",
                                 "aria-controls": panel.id,
                                 "aria-label": `Source ${citation.n}: ${ownDocument(citation) ? citation.label
                                   : `${citation.title}, ${citation.section}`}`},
                      `[${citation.n}]`);
    button.addEventListener("click", () => toggle(button, citation));
    markers.push(button);
    return button;
  }

  // Text whose "[n]" become citation buttons; everything else stays plain text.
  function withMarkers(text) {
    return text.split(/(\[\d+\])/).map((part) => {
      const citation = /^\[\d+\]$/.test(part) && byNumber.get(Number(part.slice(1, -1)));
      return citation ? marker(citation) : part;
    });
  }

  // The markers of a block shown whole (a list, a quoted clause, a table), after it.
  function blockSources(block) {
    const found = (block.citations || []).map((n) => byNumber.get(n)).filter(Boolean);
    return found.length ? el("p", {class: "block-source"}, "Source ", found.map(marker)) : null;
  }

  function renderBlock(block) {
    const title = block.title ? el("p", {class: "block-title"}, block.title) : null;
    switch (block.type) {
      case "list":
      case "steps":
        return [title, el(block.type === "steps" ? "ol" : "ul", {class: "answer-list"},
          block.items.map((item) => el("li", {}, item))), blockSources(block)];
      case "quote":
        return [title, el("blockquote", {class: "answer-quote"}, block.lines.map((line) => el("p", {}, line))),
          blockSources(block)];
      case "table":
        return [title, el("div", {class: "table-wrap", role: "region", tabindex: "0",
                                  "aria-label": block.title || "Table"},
          el("table", {class: "answer-table"},
            el("thead", {}, el("tr", {}, block.header.map((h) => el("th", {scope: "col"}, h)))),
            el("tbody", {}, block.rows.map((row) => el("tr", {}, row.map((cell) => el("td", {}, cell))))))),
          blockSources(block)];
      default:
        return [title, el("p", {class: "answer-text"}, withMarkers(block.text || ""))];
    }
  }

  // Answers stored before blocks existed are shown from their plain text.
  const blocks = message.blocks?.length ? message.blocks : [{type: "paragraph", text: message.answer}];
  // A focusable region (chat.js's "Go to the latest answer"), its citations next in the Tab order;
  // its hidden h2 puts the Sources h3 below a heading of its own.
  const body = el("article", {class: message.abstained ? "answer abstained" : "answer",
                              "aria-labelledby": `${uid}-heading`, tabindex: "-1"},
    el("h2", {class: "visually-hidden", id: `${uid}-heading`}, "Answer"),
    message.abstained ? el("p", {class: "badge"}, "Not covered by our articles") : null,
    blocks.flatMap(renderBlock), panel);
  // Escape closes an open passage (and stops there: in the widget it would close the panel).
  body.addEventListener("keydown", (event) => {
    const open = markers.find((m) => m.getAttribute("aria-expanded") === "true");
    if (event.key !== "Escape" || panel.hidden || !open) return;
    event.stopPropagation();
    open.click();
    open.focus();
  });
  const more = citations.filter((c) => !sources.includes(c));
  if (sources.length) {
    body.append(el("h3", {class: "sources-heading"}, "Sources"), sourceList(sources));
  }
  if (more.length && !message.abstained) {
    body.append(el("details", {class: "more-sources"}, el("summary", {}, `More sources (${more.length})`),
      sourceList(more, "sources-more")));
  }
  if (message.abstained && message.suggestions?.length) {
    body.append(el("h3", {class: "sources-heading"}, "Closest topics"), el("ul", {class: "suggestions"},
      message.suggestions.map((s) => el("li", {},
        el("button", {type: "button", class: "suggestion", onclick: () => ask(`Tell me about ${s.title}`)},
          `Tell me about ${s.title}`),
        " ", el("a", {href: siteUrl(s.url), target: "_blank", "aria-label": `Read the article ${s.title}`},
          "read")))));
  }
  if (message.follow_ups?.length) {
    body.append(el("h3", {class: "sources-heading"}, "Ask next"), el("ul", {class: "follow-ups"},
      message.follow_ups.map((question) => el("li", {},
        el("button", {type: "button", class: "follow-up", onclick: () => ask(question)}, question)))));
  }
  body.append(el("div", {class: "answer-actions"}, copyButton(message, sources),
    message.message_id ? feedbackControls(message.message_id, uid) : null));
  return body;
}

// A source from the organisation's own documents says so: "Your organisation: Title, §Section, p. 4".
function ownDocument(citation) {
  return citation.collection === "organisation" && Boolean(citation.label);
}

function sourceList(citations, className = "sources") {
  return el("ol", {class: className}, citations.map((c) => el("li", {class: ownDocument(c) ? "own" : null},
    // A new tab (the widget's frame does the same with <base target>): the chat keeps its place.
    ...(ownDocument(c) ? [el("a", {href: siteUrl(c.url), target: "_blank"}, `[${c.n}] ${c.label}`)]
      : [el("a", {href: siteUrl(c.url), target: "_blank"}, `[${c.n}] ${c.title}`),
         el("span", {class: "section"}, ` — ${c.section}`)]))));
}

/** The answer as Markdown, then its sources with links: what Copy copies and Export writes. */
export function answerMarkdown(message, sources) {
  const lines = [];
  for (const block of message.blocks?.length ? message.blocks : [{type: "paragraph", text: message.answer}]) {
    const marks = (block.citations || []).map((n) => `[${n}]`).join(" ");
    if (block.title) lines.push(`**${block.title}**`, "");
    if (block.type === "list") lines.push(...block.items.map((item) => `- ${item}`), marks);
    else if (block.type === "steps") lines.push(...block.items.map((item, i) => `${i + 1}. ${item}`), marks);
    else if (block.type === "quote") lines.push(block.lines.map((line) => `> ${line}`).join("\n>\n"), marks);
    else if (block.type === "table") {
      lines.push(`| ${block.header.join(" | ")} |`, `|${block.header.map(() => " --- |").join("")}`,
        ...block.rows.map((row) => `| ${row.join(" | ")} |`), marks);
    } else lines.push(block.text);
    lines.push("");
  }
  if (sources.length) {
    lines.push("", "Sources:", ...sources.map((c) =>
      `[${c.n}] ${ownDocument(c) ? c.label : `${c.title} — ${c.section}`}: ${new URL(siteUrl(c.url), location.href).href}`));
  }
  return lines.join("\n");
}

function copyButton(message, sources) {
  const label = el("span", {"aria-live": "polite"}, "Copy");
  const button = el("button", {type: "button", class: "secondary copy"}, icon("copy"), label);
  button.addEventListener("click", async () => {
    try {
      await writeClipboard(answerMarkdown(message, sources));
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
