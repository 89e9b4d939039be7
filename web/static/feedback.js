// Thumbs up or down on one answer, with an optional comment, sent to POST /api/feedback.
import {api} from "./api.js";
import {el, icon} from "./dom.js";

/** The feedback controls for the answer `messageId`; `uid` makes the element ids unique. */
export function feedbackControls(messageId, uid) {
  let rating = null; // the rating being written
  let saved = null; // the rating the server has: stays pressed, and another click changes it
  const thumbs = {
    up: el("button", {type: "button", class: "thumb", "aria-pressed": "false", "aria-label": "Helpful",
                      title: "Helpful", "data-rating": "up"}, icon("thumb")),
    down: el("button", {type: "button", class: "thumb", "aria-pressed": "false", "aria-label": "Not helpful",
                        title: "Not helpful", "data-rating": "down"}, icon("thumb", "flip")),
  };
  const comment = el("textarea", {id: `${uid}-comment`, rows: 2, maxlength: 2000});
  const label = el("label", {for: `${uid}-comment`});
  const status = el("p", {class: "feedback-status", role: "status"});
  const form = el("form", {class: "feedback-form", hidden: true},
    label, comment,
    el("div", {class: "row"},
      el("button", {type: "submit", class: "primary"}, "Send feedback"),
      el("button", {type: "button", class: "secondary", onclick: () => reset()}, "Cancel")));

  function choose(chosen) {
    rating = chosen;
    for (const [name, button] of Object.entries(thumbs)) button.setAttribute("aria-pressed", String(name === chosen));
    label.textContent = chosen === "up" ? "What helped? (optional)" : "What was wrong or missing? (optional)";
    form.hidden = false;
    status.textContent = "";
    comment.focus();
  }

  function reset() {
    rating = saved;
    form.hidden = true;
    for (const [name, button] of Object.entries(thumbs)) button.setAttribute("aria-pressed", String(name === saved));
    (thumbs[saved] || thumbs.up).focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const reply = await api("/api/feedback", {message_id: messageId, rating, comment: comment.value});
      saved = rating;
      form.hidden = true;
      comment.value = "";
      status.textContent = reply.changed ? "Thanks, your rating is changed." : "Thanks, your feedback is saved.";
      thumbs[saved].focus(); // the form that had the focus is gone; the chosen rating keeps it
    } catch (err) {
      status.textContent = err.message;
    } finally {
      submit.disabled = false;
    }
  });
  for (const [name, button] of Object.entries(thumbs)) button.addEventListener("click", () => choose(name));

  return el("div", {class: "feedback"},
    el("div", {class: "row"}, el("span", {class: "hint"}, "Was this helpful?"), thumbs.up, thumbs.down),
    form, status);
}
