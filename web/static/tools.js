// The SLA calculators page: each form calls its /api/calc endpoint and shows the figures, the formula
// and the article section that explains it. Elements are built with el(); nothing is parsed as HTML.
import {api, siteUrl} from "./api.js";
import {el} from "./dom.js";

const LENGTHS = {
  day: [],
  week: [],
  month: [["", "30 days (default)"], ["28", "28 days (February)"], ["29", "29 days (February, leap year)"], ["31", "31 days"]],
  quarter: [["", "90 days (default)"], ["91", "91 days"], ["92", "92 days"]],
  year: [["", "365 days (default)"], ["366", "366 days (leap year)"]],
};
const LISTS = new Set(["credit_amounts", "credit_percents", "allocations"]);

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

/** The form's filled-in fields: a query string for GET, a JSON object for POST. */
function request(form) {
  const body = {};
  const query = new URLSearchParams();
  for (const input of form.querySelectorAll("input, select")) {
    if (input.disabled) continue;
    const name = input.name;
    if (input.type === "checkbox") {
      body[name] = input.checked;
      continue;
    }
    const text = input.value.trim();
    if (text === "") continue;
    query.set(name, text.replace(/%/g, ""));
    if (LISTS.has(name)) body[name] = text.split(/[;,]\s+|\s*;\s*|,(?!\d{3}\b)/).filter((p) => p.trim()).map(number);
    else body[name] = number(text);
  }
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
