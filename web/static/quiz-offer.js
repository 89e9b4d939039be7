// In the chat, "quiz me on SLAs" also offers a quiz on that topic in study mode. Registered before
// the conversation's own handlers, so it reads the question before the composer is cleared.
import {api, siteUrl} from "./api.js";
import {el} from "./dom.js";

const input = document.getElementById("question");
const form = document.getElementById("ask-form");
const place = document.getElementById("study-offer");
const ASKS_FOR_STUDY = /\bquiz|\b(test|drill|examine)\s+(me|us|my)\b|\bflash ?cards?\b|\bmock exams?\b|\bpractice (questions|quiz|exam)\b|\bhelp me (study|revise)\b/i;

async function offer(question) {
  if (!ASKS_FOR_STUDY.test(question)) {
    place.hidden = true; // an earlier offer goes once the talk moves on
    return;
  }
  try {
    const reply = await api(`/api/study/offer?q=${encodeURIComponent(question.slice(0, 2000))}`);
    if (!reply.offer) return;
    place.replaceChildren(el("p", {}, "Want to test yourself? ",
      el("a", {href: siteUrl(reply.offer.url), class: "button primary"}, reply.offer.label)));
    place.hidden = false;
  } catch {
    // The offer is a bonus: the chat answers the question either way.
  }
}

if (input && form && place) {
  form.addEventListener("submit", () => offer(input.value));
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) offer(input.value);
  });
}
