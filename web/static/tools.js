// The calculators page (SLA, recovery and pricing): each form calls its /api/calc endpoint and shows
// the figures, the formula and the article section that explains it. Elements are built with el();
// nothing is parsed as HTML.
import {api, siteUrl} from "./api.js";
import {el} from "./dom.js";

const LENGTHS = {
  day: [],
  week: [],
  month: [["", "30 days (default)"], ["28", "28 days (February)"], ["29", "29 days (February, leap year)"], ["31", "31 days"]],
  quarter: [["", "90 days (default)"], ["91", "91 days"], ["92", "92 days"]],
  year: [["", "365 days (default)"], ["366", "366 days (leap year)"]],
};
// Fields that take several numbers, separated by commas or semicolons ("4.6; 2.1"; "1,200,000" is one).
const LISTS = new Set([
  "credit_amounts", "credit_percents", "allocations", "changes", "one_off_costs", "other_costs", "exit_costs",
]);

/** Keep the Length choices in step with the Period (a day or a week has one length). */
function followPeriod(select) {
  const days = document.getElementById(select.dataset.days);
  const update = () => {
    const choices = LENGTHS[select.value] || [];
    days.replaceChildren(...choices.map(([value, label]) => el("option", {value}, label)));
    days.disabled = choices.length === 0;
    days.closest(".field").hidden = choices.length === 0;
  };
  select.addEventListener("change", update);
  update();
}

function number(text) {
  const cleaned = text.replace(/[,\s%]/g, "");
  return cleaned === "" || Number.isNaN(Number(cleaned)) ? cleaned : Number(cleaned);
}

/** What a filled-in input sends: a list of numbers, a number, or (text and choices) the text as typed. */
function value(input, text) {
  if (LISTS.has(input.name)) return text.split(/[;,]\s+|\s*;\s*|,(?!\d{3}\b)/).filter((p) => p.trim()).map(number);
  return ["decimal", "numeric"].includes(input.getAttribute("inputmode")) ? number(text) : text;
}

/**
 * A fieldset of rows (pricing options, price bands): one object per row with anything filled in;
 * an empty cell is left out, or sent as null where the input says data-blank="null" (an open top band).
 */
function rows(fieldset) {
  const list = [];
  for (const row of fieldset.querySelectorAll("[data-row]")) {
    const inputs = [...row.querySelectorAll("input")];
    if (inputs.every((input) => input.value.trim() === "")) continue;
    const item = {};
    for (const input of inputs) {
      const text = input.value.trim();
      if (text !== "") item[input.name] = value(input, text);
      else if (input.dataset.blank === "null") item[input.name] = null;
    }
    list.push(item);
  }
  return list;
}

/** The form's filled-in fields: a query string for GET, a JSON object for POST. */
function request(form) {
  const body = {};
  const query = new URLSearchParams();
  for (const input of form.querySelectorAll("input, select")) {
    if (input.disabled || input.closest("[data-list]")) continue;
    const name = input.name;
    if (input.type === "checkbox") {
      // An optional yes/no left unticked is not sent: the API then works it out (null, not false).
      if (input.checked || !("optional" in input.dataset)) body[name] = input.checked;
      continue;
    }
    const text = input.value.trim();
    if (text === "") continue;
    query.set(name, text.replace(/%/g, ""));
    body[name] = value(input, text);
  }
  for (const fieldset of form.querySelectorAll("[data-list]")) body[fieldset.dataset.list] = rows(fieldset);
  const path = form.dataset.endpoint;
  return form.dataset.method === "post" ? api(path, body) : api(`${path}?${query}`);
}

function table(data) {
  return el("div", {class: "table-wrap"},
    el("table", {class: "answer-table"},
      el("thead", {}, el("tr", {}, data.header.map((cell) => el("th", {scope: "col"}, cell)))),
      el("tbody", {}, data.rows.map((row) => el("tr", {}, row.map((cell, i) =>
        i === 0 ? el("th", {scope: "row"}, cell) : el("td", {}, cell)))))));
}

function show(output, reply) {
  const where = `${reply.citation.doc_id.replaceAll("-", " ")} › ${reply.citation.anchor.replaceAll("-", " ")}`;
  const parts = [
    el("div", {class: "result-figures"}, reply.result.map((sentence) => el("p", {}, sentence))),
    el("p", {class: "formula"}, el("strong", {}, "Formula: "), reply.formula),
    reply.table ? table(reply.table) : null,
    el("p", {class: "block-source"}, "Source: ", el("a", {href: siteUrl(reply.citation.url)}, where)),
  ];
  output.replaceChildren(...parts.filter(Boolean));
}

for (const select of document.querySelectorAll("select[data-days]")) followPeriod(select);

for (const form of document.querySelectorAll(".calc-form")) {
  const output = form.nextElementSibling;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    output.setAttribute("aria-busy", "true");
    try {
      show(output, await request(form));
    } catch (error) {
      output.replaceChildren(el("p", {class: "error", role: "alert"}, error.message));
    } finally {
      button.disabled = false;
      output.removeAttribute("aria-busy");
    }
  });
}
