/*
 * The outsourcing knowledge assistant on any intranet page, with one tag:
 *
 *   <script src="https://assistant.example.internal/widget.js" defer
 *           data-title="Sourcing help" data-accent="#0b5fff" data-position="bottom-right"
 *           data-greeting="Ask me about SLAs, contracts and vendors"></script>
 *
 * Also: data-open="true" (open on arrival), data-topic="sla", data-audience="manager",
 *       data-collection="organisation" (only your organisation's documents; "corpus": only the curated articles).
 * It adds one element to the page. Its shadow root holds a launcher button and an iframe onto the
 * app's /embed page, where the chat runs: the host page's CSS cannot reach either, the widget's
 * CSS cannot reach the page, and the chat's scripts and storage live on the app's origin. The
 * server decides which host origins may frame /embed; on any other page the frame is refused,
 * never says "ready", and the launcher never shows. No dependencies, no build step, and the only
 * global is window.OutsourcingAssistantWidget (open, close, toggle).
 */
(function () {
  "use strict";
  var NAME = "OutsourcingAssistantWidget";
  var SOURCE = "outsourcing-assistant"; // tags our postMessages among any others the page gets
  if (window[NAME]) return; // the tag is on the page twice: the first one wins

  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  if (!script) return;
  // The app's URL, path prefix included, is wherever this file came from: /widget.js or
  // /static/widget.js under it (e.g. https://intranet.example/assistant/widget.js).
  var src = new URL(script.src, location.href);
  var appOrigin = src.origin;
  var base = appOrigin + src.pathname.replace(/\/(static\/)?widget\.js$/, "");
  var config = script.dataset;
  var title = (config.title || "Ask the outsourcing assistant").slice(0, 80);
  var accent = /^#([0-9a-f]{3}){1,2}$/i.test(config.accent || "") ? config.accent : "#0b5fff";
  var left = config.position === "bottom-left";
  var PHONE = "(max-width: 480px), (max-height: 480px)"; // where the panel fills the screen

  var params = new URLSearchParams({host: location.origin, title: title, accent: accent});
  ["greeting", "topic", "audience", "collection"].forEach(function (key) {
    if (config[key]) params.set(key, config[key]);
  });

  var CSS = [
    // Outside rules beat :host rules unless these are !important, and then ours win.
    ":host { all: initial !important; display: block !important; }",
    "* { box-sizing: border-box; }",
    "[hidden] { display: none !important; }",
    ".launcher { position: fixed; bottom: 20px; z-index: 2147483000; display: inline-flex;",
    "  align-items: center; gap: 8px; min-height: 48px; max-width: calc(100vw - 40px); margin: 0;",
    "  padding: 10px 18px 10px 14px; border: 0; border-radius: 24px; cursor: pointer;",
    "  font: 600 15px/1.2 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;",
    "  background: var(--accent); color: var(--on-accent); box-shadow: 0 4px 14px rgba(0,0,0,.25); }",
    ".launcher:focus-visible { outline: 3px solid var(--accent); outline-offset: 3px; }",
    ".launcher span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }",
    ".launcher svg { width: 22px; height: 22px; flex: none; fill: currentColor; }",
    "[aria-expanded=true] .chat, [aria-expanded=false] .shut { display: none; }",
    ".panel { position: fixed; bottom: 84px; z-index: 2147483000; width: 390px;",
    "  height: min(640px, calc(100vh - 108px)); max-width: calc(100vw - 40px); border-radius: 14px;",
    "  overflow: hidden; background: #fff; box-shadow: 0 10px 40px rgba(0,0,0,.3); }",
    ".right { right: 20px; } .left { left: 20px; }",
    "iframe { display: block; width: 100%; height: 100%; border: 0; }",
    "@media (prefers-reduced-motion: no-preference) {",
    "  .panel:not([hidden]) { animation: rise .18s ease-out; }",
    "  @keyframes rise { from { opacity: 0; transform: translateY(12px); } }",
    "}",
    // Phones: the panel takes the whole screen and carries its own close button.
    "@media " + PHONE + " {",
    "  .panel { inset: 0; width: 100%; height: 100%; max-width: none; border-radius: 0; }",
    "  .launcher[aria-expanded=true] { display: none; }",
    "}",
  ].join("\n");

  var element = document.createElement("outsourcing-assistant-widget");
  var root = element.attachShadow({mode: "open"});
  adoptStyles(root, CSS + "\n:host { --accent: " + accent + "; --on-accent: " + textOn(accent) + "; }");

  var side = left ? "left" : "right";
  var launcher = make("button", {type: "button", "class": "launcher " + side, "aria-expanded": "false",
    "aria-controls": "panel", "aria-label": title, hidden: ""});
  launcher.append(icon("M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z", "chat"),
    icon("M18.3 5.7 12 12l6.3 6.3-1.4 1.4L10.6 13.4 4.3 19.7l-1.4-1.4L9.2 12 2.9 5.7l1.4-1.4 6.3 6.3 6.3-6.3z", "shut"),
    make("span", {"aria-hidden": "true"}, title));
  var frame = make("iframe", {title: title, src: base + "/embed?" + params,
    // The chat may open articles in new tabs and copy to the clipboard, never steer the host page.
    sandbox: "allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox",
    allow: "clipboard-write"});
  // A dialog; on a phone it fills the screen and is modal (embed.js then keeps Tab inside it).
  var panel = make("div", {id: "panel", "class": "panel " + side, role: "dialog", "aria-label": title,
    hidden: ""}, frame);
  root.append(panel, launcher);
  var phone = window.matchMedia(PHONE);

  var ready = false;
  var isOpen = false;

  function post(type, extra) {
    var message = {source: SOURCE, type: type};
    for (var key in extra) message[key] = extra[key];
    if (frame.contentWindow) frame.contentWindow.postMessage(message, appOrigin);
  }

  function open(focus) {
    if (!ready) return;
    isOpen = true;
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    markModal();
    if (focus) frame.focus(); // focus enters the frame; the chat then focuses its question box
    post("opened", {focus: Boolean(focus), modal: phone.matches});
  }

  // Full screen on a phone: a modal dialog whose frame keeps Tab inside (the launcher is hidden).
  function markModal() {
    if (phone.matches) panel.setAttribute("aria-modal", "true");
    else panel.removeAttribute("aria-modal");
    if (isOpen) post("modal", {modal: phone.matches});
  }
  phone.addEventListener("change", markModal);

  function close(returnFocus) {
    if (!isOpen) return;
    isOpen = false;
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    post("closed");
    if (returnFocus) launcher.focus();
  }

  launcher.addEventListener("click", function () {
    if (isOpen) close(true);
    else open(true);
  });
  root.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && isOpen) close(true);
  });

  window.addEventListener("message", function (event) {
    // Only our own frame, from the app's origin, may talk to us.
    if (event.origin !== appOrigin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (!data || data.source !== SOURCE) return;
    if (data.type === "ready") {
      ready = true;
      launcher.hidden = false;
      // Reopen after a navigation if it was open; else data-open decides. Focus stays put.
      if (data.open === true || (data.open !== false && config.open === "true")) open(false);
    } else if (data.type === "close") {
      close(true);
    }
  });

  window[NAME] = Object.freeze({
    open: function () { open(true); },
    close: function () { close(false); },
    toggle: function () { if (isOpen) close(false); else open(true); },
  });

  (document.body || document.documentElement).append(element);

  function make(tag, attrs) {
    var node = document.createElement(tag);
    for (var name in attrs) node.setAttribute(name, attrs[name]);
    for (var i = 2; i < arguments.length; i++) node.append(arguments[i]);
    return node;
  }

  function icon(path, name) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", name);
    var shape = document.createElementNS(ns, "path");
    shape.setAttribute("d", path);
    svg.append(shape);
    return svg;
  }

  // Constructed stylesheets pass a host page's strict CSP (style-src without 'unsafe-inline');
  // a <style> element in the shadow root is the fallback for browsers without them.
  function adoptStyles(shadow, css) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      shadow.adoptedStyleSheets = [sheet];
    } catch (err) {
      var style = document.createElement("style");
      style.textContent = css;
      shadow.append(style);
    }
  }

  // Black or white text, whichever reads better on the accent (WCAG relative luminance).
  function textOn(hex) {
    var h = hex.length === 4 ? hex.replace(/[0-9a-f]/gi, "$&$&") : hex;
    var lum = [1, 3, 5].reduce(function (sum, at, i) {
      var c = parseInt(h.slice(at, at + 2), 16) / 255;
      c = c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
      return sum + c * [0.2126, 0.7152, 0.0722][i];
    }, 0);
    return (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) ? "#000" : "#fff";
  }
})();
