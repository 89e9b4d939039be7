// The widget's panel, inside the iframe widget.js puts on a host page: the shared conversation,
// the host's accent colour, and a few messages with the host page, whose origin is always checked.
import {startChat} from "./conversation.js";

const SOURCE = "outsourcing-assistant"; // tags our messages among any others a page may receive
const data = document.body.dataset;
const host = data.host; // the host page's origin (checked by the server); "" when not framed by one
const framed = Boolean(host) && window.parent !== window;
const filters = Object.fromEntries(["topic", "audience", "collection"].filter((k) => data[k]).map((k) => [k, data[k]]));
const chat = startChat({storageKey: data.storageKey, filters: Object.keys(filters).length ? filters : null,
                       onQuestion: linkFullChat, onGone: () => linkFullChat(null)});

// "Open the full assistant" opens this conversation there (chat.js adopts #conversation=<id>).
function linkFullChat(id) {
  const link = document.getElementById("open-full");
  link.hash = id ? `conversation=${encodeURIComponent(id)}` : "";
}
document.getElementById("new-conversation").addEventListener("click", () => linkFullChat(null));
linkFullChat(chat.current());

// Whether the panel was open, per browser tab and host origin, so it reopens after the host page
// navigates. sessionStorage: a new tab starts closed.
const OPEN_KEY = `${data.storageKey}:open`;
const remembered = () => { try { return sessionStorage.getItem(OPEN_KEY); } catch { return null; } };
const remember = (open) => { try { sessionStorage.setItem(OPEN_KEY, open ? "1" : "0"); } catch { /* forgotten */ } };

function tell(type, extra = {}) {
  // The target origin makes the browser drop the message unless the parent really is `host`.
  if (framed) window.parent.postMessage({source: SOURCE, type, ...extra}, host);
}

let restored = null;
window.addEventListener("message", (event) => {
  if (!framed || event.origin !== host || event.source !== window.parent || event.data?.source !== SOURCE) return;
  if (event.data.type === "opened") {
    remember(true);
    restored ||= chat.restore(); // fetched on first opening, not on every host page view
    if (event.data.focus) chat.focus();
    modal = Boolean(event.data.modal);
  } else if (event.data.type === "closed") {
    remember(false);
  } else if (event.data.type === "modal") {
    modal = Boolean(event.data.modal);
  }
});

// On a phone the panel is a full-screen modal dialog: Tab and Shift+Tab wrap around inside it
// instead of leaving for the host page underneath.
let modal = false;
const FOCUSABLE = "a[href], button:not([disabled]), textarea, input, select, summary, [tabindex='0']";
document.addEventListener("keydown", (event) => {
  if (!modal || event.key !== "Tab") return;
  const items = [...document.querySelectorAll(FOCUSABLE)].filter((e) => e.getClientRects().length);
  if (!items.length) return;
  const [first, last] = [items[0], items[items.length - 1]];
  const active = document.activeElement;
  if (event.shiftKey && (active === first || active === document.body)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && active === last) {
    event.preventDefault();
    first.focus();
  }
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !event.isComposing) tell("close");
});
document.getElementById("close").addEventListener("click", () => tell("close"));

// The host's accent colour (validated by the server) for the header and the Send button; links
// keep the theme's own accent, which stays readable in dark mode.
if (data.accent) {
  const style = document.documentElement.style; // CSSOM, which the page's CSP allows; style="" would not be
  style.setProperty("--brand", data.accent);
  style.setProperty("--on-brand", textOn(data.accent));
}

/** Black or white, whichever reads better on the hex colour `hex` (WCAG relative luminance). */
function textOn(hex) {
  const digits = hex.length === 4 ? [...hex.slice(1)].map((d) => d + d) : hex.slice(1).match(/../g);
  const [r, g, b] = digits.map((d) => {
    const c = parseInt(d, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) ? "#000000" : "#ffffff";
}

if (framed) tell("ready", {open: remembered() === null ? null : remembered() === "1"});
else restored = chat.restore(); // opened on its own: behave like the chat page
