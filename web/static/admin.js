// /admin: the token is kept for this tab only and sent as a bearer header with every call, never
// as a cookie, so no other site can make this browser act here. Text goes in as text nodes only.
import {base} from "./api.js";
import {el} from "./dom.js";

const KEY = "assistant.admin-token";
const $ = (id) => document.getElementById(id);
const token = () => { try { return sessionStorage.getItem(KEY) || ""; } catch { return ""; } };
const keep = (value) => { try { sessionStorage.setItem(KEY, value); } catch { /* this page only */ } };
let polling = null;

class Refused extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

async function call(path, {method = "GET", body, query = ""} = {}) {
  const response = await fetch(`${base}/api/admin${path}${query}`, {
    method, body, headers: {Authorization: `Bearer ${token()}`},
  }).catch(() => { throw new Refused("The assistant cannot be reached; try again.", 0); });
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) signOut("That token is not right; check ASSISTANT_ADMIN_TOKEN.");
  if (!response.ok) throw new Refused(data.error || `Status ${response.status}.`, response.status);
  return {data, status: response.status};
}

function signOut(message = "") {
  try { sessionStorage.removeItem(KEY); } catch { /* nothing kept */ }
  $("admin-panel").hidden = true;
  $("admin-login").hidden = false;
  $("admin-login-error").textContent = message;
}

async function showLibrary() {
  const {data} = await call("/library");
  $("admin-built").textContent = data.built_at ? `Index built ${data.built_at}.` : "No index yet.";
  $("admin-documents").replaceChildren(...data.documents.map((doc) => el("tr", {"data-id": doc.id},
    el("td", {}, el("a", {href: `${base}/docs/${encodeURIComponent(doc.id)}`}, doc.title)),
    el("td", {}, doc.source_file), el("td", {}, doc.ingested),
    el("td", {class: "status"}, doc.status, ...(doc.problems.length ? [": ", doc.problems.join("; ")] : [])),
    el("td", {}, doc.status.startsWith("removed") ? "" : el("button", {type: "button",
      "aria-label": `Remove ${doc.title}`, onclick: () => removeDocument(doc)}, "Remove")))));
  showRebuild(data.rebuild);
}

async function removeDocument(doc) {
  if (!window.confirm(`Remove “${doc.title}” from the library? Rebuild to drop it from answers.`)) return;
  await call(`/documents/${encodeURIComponent(doc.id)}`, {method: "DELETE"});
  await showLibrary();
}

async function upload(event) {
  event.preventDefault();
  const results = $("admin-upload-results");
  for (const file of $("admin-files").files) {
    let line;
    try {
      const {data} = await call("/documents", {method: "POST", body: file,
                                               query: `?filename=${encodeURIComponent(file.name)}`});
      line = `${file.name}: ${data.action} as ${data.id}${data.reason ? ` (${data.reason})` : ""}`;
    } catch (err) {
      line = err.message.startsWith(file.name) ? err.message : `${file.name}: ${err.message}`;
    }
    results.append(el("li", {}, line));
  }
  $("admin-files").value = "";
  await showLibrary();
}

function showRebuild(status) {
  const bar = $("admin-progress");
  const running = status.state === "running";
  $("admin-rebuild").disabled = running;
  bar.hidden = !running;
  if (running && status.total) bar.value = status.done / status.total;
  $("admin-rebuild-status").textContent = running ? `Rebuilding: ${status.stage}` +
    (status.total ? ` (${status.done} of ${status.total})` : "") + ". The old index answers until it is done."
    : status.message;
  if (running && !polling) polling = setTimeout(poll, 1000);
}

async function poll() {
  polling = null;
  const {data} = await call("/rebuild");
  if (data.state === "running") showRebuild(data);
  else await showLibrary();
}

async function showGaps() {
  const {data} = await call("/gaps");
  $("admin-gaps").replaceChildren(...(data.groups.length ? data.groups.map((g) => el("li", {},
    el("strong", {}, g.question), ` — asked ${g.count}×: ${g.unanswered} unanswered, ${g.not_helpful} not helpful`,
    g.wordings.length > 1 ? el("ul", {}, g.wordings.slice(1).map((w) => el("li", {}, w))) : null,
    g.comments.length ? el("p", {class: "comments"}, `Comments: ${g.comments.join(" · ")}`) : null))
    : [el("li", {}, "Nothing in the last 30 days.")]));
}

async function open() {
  try {
    await showLibrary();
  } catch (err) {
    if (err.status !== 401) $("admin-login-error").textContent = err.message;
    return;
  }
  $("admin-login").hidden = true;
  $("admin-panel").hidden = false;
  await showGaps();
}

$("admin-login").addEventListener("submit", (event) => {
  event.preventDefault();
  keep($("admin-token").value.trim());
  $("admin-token").value = "";
  open();
});
$("admin-signout").addEventListener("click", () => signOut());
$("admin-upload").addEventListener("submit", upload);
$("admin-rebuild").addEventListener("click", async () => showRebuild((await call("/rebuild", {method: "POST"})).data));
if (token()) open();
