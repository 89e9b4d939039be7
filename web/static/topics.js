// /topics while typing: the search box and the audience and topic filters narrow the list at once
// (the form without scripts does the same through the server), and every choice shows its count.
const form = document.querySelector(".topic-filters");
const search = document.getElementById("topic-search");
const audience = document.getElementById("topic-audience");
const topic = document.getElementById("topic-topic");
const status = document.getElementById("topic-count");
const groups = [...document.querySelectorAll("details.topic")];
const items = groups.flatMap((group) => [...group.querySelectorAll(".doc-list > li")]
  .map((li) => ({li, group, topic: group.dataset.topic, audience: li.dataset.audience.split(" "),
                 text: li.dataset.search})));
const wide = window.matchMedia("(min-width: 48rem)");

function matches(item, words, chosenAudience, chosenTopic) {
  return words.every((word) => item.text.includes(word))
    && (!chosenAudience || item.audience.includes(chosenAudience))
    && (!chosenTopic || item.topic === chosenTopic);
}

function count(options, test) {
  for (const option of options) {
    if (option.value) option.textContent = `${option.dataset.label} (${items.filter((i) => test(i, option.value)).length})`;
  }
}

function apply() {
  const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
  const filtering = words.length > 0 || audience.value || topic.value;
  let shown = 0;
  for (const item of items) {
    item.li.hidden = !matches(item, words, audience.value, topic.value);
    if (!item.li.hidden) shown++;
  }
  for (const group of groups) {
    const visible = group.querySelectorAll(".doc-list > li:not([hidden])").length;
    group.hidden = visible === 0;
    group.querySelector(".count").textContent = `(${visible})`;
    if (filtering || wide.matches) group.open = true;
  }
  count(audience.options, (i, value) => matches(i, words, value, topic.value));
  count(topic.options, (i, value) => matches(i, words, audience.value, value));
  status.textContent = `${shown} of ${items.length} articles`;
}

// The page may come from the server already filtered (?q=, ?topic=): live filtering works within
// what it sent, so there a new filter goes through the form (Enter or Show for the search).
const complete = !new URLSearchParams(location.search).toString();
form.addEventListener("input", () => { if (complete) apply(); });
form.addEventListener("change", (event) => {
  if (!complete && event.target !== search) form.requestSubmit();
});
form.addEventListener("submit", (event) => {
  if (!complete) return;
  event.preventDefault();
  apply();
});
if (complete) apply();
