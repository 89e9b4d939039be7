// "Review a clause": sends the pasted text to POST /api/review and shows the type, the checklist,
// red flags and figures. Everything is built with el(); the pasted text is never parsed as HTML.
import {api, siteUrl} from "./api.js";
import {el} from "./dom.js";

const form = document.getElementById("review-form");
const output = document.getElementById("review-result");
const STATUS = {present: "Present", weak: "Weak", missing: "Missing"};

const source = (finding) =>
  el("a", {href: siteUrl(finding.citation.url), "aria-label": `Guidance: ${finding.name}`}, "Guidance");

function guidance(finding) {
  return el("p", {class: "guidance"}, finding.guidance, " ", source(finding));
}

function evidence(text) {
  return text ? el("blockquote", {class: "evidence"}, text) : null;
}

function show(reply) {
  const parts = [];
  if (!reply.clause_type) {
    parts.push(el("p", {class: "error", role: "alert"}, "This does not look like a clause type the review knows; choose one above."));
  } else {
    parts.push(el("h2", {tabindex: "-1", id: "review-heading"}, `Reviewed as: ${reply.name}`));
    parts.push(el("p", {class: "hint"}, "Most likely types: ",
      reply.candidates.map((c) => `${c.name} (${Math.round(c.score * 100)}%)`).join(", ") + "."));
    parts.push(el("h3", {}, "Checklist"));
    parts.push(el("ul", {class: "checklist"}, reply.elements.map((item) =>
      el("li", {class: `check check-${item.status}`},
        el("span", {class: "status"}, STATUS[item.status]), " ", el("strong", {}, item.name),
        evidence(item.evidence), guidance(item)))));
    parts.push(el("h3", {}, `Red flags (${reply.red_flags.length})`));
    parts.push(reply.red_flags.length
      ? el("ul", {class: "flags"}, reply.red_flags.map((flag) =>
        el("li", {class: "flag"}, el("strong", {}, flag.name), evidence(flag.evidence), guidance(flag))))
      : el("p", {}, "None found."));
    if (reply.numbers.length) {
      parts.push(el("h3", {}, "Figures"));
      parts.push(el("ul", {class: "figures"}, reply.numbers.map((n) =>
        el("li", {class: `figure figure-${n.verdict}`}, el("strong", {}, n.summary), evidence(n.evidence), guidance(n)))));
    }
  }
  parts.push(el("p", {class: "hint"}, reply.notice));
  output.replaceChildren(...parts.filter(Boolean));
  const heading = document.getElementById("review-heading");
  if (heading) heading.focus();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  output.setAttribute("aria-busy", "true");
  try {
    show(await api("/api/review", {text: form.text.value, clause_type: form.clause_type.value || null}));
  } catch (error) {
    output.replaceChildren(el("p", {class: "error", role: "alert"}, error.message));
  } finally {
    button.disabled = false;
    output.removeAttribute("aria-busy");
  }
});

form.text.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
});
