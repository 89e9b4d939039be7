// Frames the section a citation points at (the URL fragment): its heading and everything up to the
// next heading of the same or higher level. CSS :target alone could only mark the heading itself.
import {el} from "./dom.js";

const body = document.querySelector(".article-body");
const isHeading = (node) => /^H[1-6]$/.test(node.tagName);

function sectionNodes(target) {
  if (target === body) {
    // The overview is the text before the first heading.
    const nodes = [];
    for (const node of body.children) {
      if (isHeading(node)) break;
      nodes.push(node);
    }
    return nodes;
  }
  const level = Number(target.tagName.slice(1));
  const nodes = [target];
  for (let node = target.nextElementSibling; node; node = node.nextElementSibling) {
    if (isHeading(node) && Number(node.tagName.slice(1)) <= level) break;
    nodes.push(node);
  }
  return nodes;
}

function highlight() {
  const previous = body.querySelector(".cited-section");
  if (previous) previous.replaceWith(...[...previous.children].slice(1)); // drop the label, unwrap
  const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (!target || !(target === body || (body.contains(target) && isHeading(target)))) return;
  const nodes = sectionNodes(target);
  if (!nodes.length) return;
  const frame = el("div", {class: "cited-section"}, el("p", {class: "cited-label"}, "Cited section"));
  nodes[0].before(frame);
  frame.append(...nodes);
  reveal(frame);
}

// The browser scrolled to the heading, leaving the "Cited section" label above the screen and the
// sticky bar (with the article's title) over the heading: scroll to the frame, just below the bar.
function reveal(frame) {
  const bar = document.querySelector(".article-bar");
  frame.style.scrollMarginTop = `${(bar?.offsetHeight || 0) + 8}px`; // CSSOM: allowed by the CSP
  frame.scrollIntoView({block: "start"});
}

if (body) {
  highlight();
  window.addEventListener("hashchange", highlight);
  // The browser's own scroll to the fragment may come after this module ran: frame it again then.
  window.addEventListener("load", () => {
    const frame = body.querySelector(".cited-section");
    if (frame) reveal(frame);
  }, {once: true});
}
