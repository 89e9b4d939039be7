// The colour theme: the system's light or dark until the visitor picks one with the header's
// toggle; the pick is remembered in localStorage. A classic script loaded in <head>, so the page
// is painted in the right theme from the start (app.css reads data-theme on <html>).
(function () {
  "use strict";
  var KEY = "assistant.theme";
  var root = document.documentElement;
  var system = window.matchMedia("(prefers-color-scheme: dark)");

  function stored() {
    try { return localStorage.getItem(KEY); } catch (err) { return null; }
  }
  function apply(theme) {
    if (theme === "light" || theme === "dark") root.setAttribute("data-theme", theme);
    else root.removeAttribute("data-theme");
  }
  function current() {
    return root.getAttribute("data-theme") || (system.matches ? "dark" : "light");
  }
  apply(stored());

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector(".theme-toggle");
    if (!button) return;
    function show() {
      button.textContent = "Dark theme";
      button.setAttribute("aria-pressed", String(current() === "dark"));
    }
    button.addEventListener("click", function () {
      var theme = current() === "dark" ? "light" : "dark";
      apply(theme);
      try { localStorage.setItem(KEY, theme); } catch (err) { /* this page only */ }
      show();
    });
    system.addEventListener("change", show);
    show();
    button.hidden = false;
  });
})();
