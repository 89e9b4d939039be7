// ESLint over the browser code (make test runs it): the recommended rules, and no HTML built from
// strings, so corpus and user text can never become markup.
import js from "@eslint/js";
import globals from "globals";

const markup = "Build elements and text nodes instead: corpus and user text must never become markup.";

export default [
  js.configs.recommended,
  {
    files: ["web/**/*.js"],
    languageOptions: {ecmaVersion: 2022, sourceType: "module", globals: globals.browser},
    rules: {
      // An unused `catch (err)` is kept for the older browsers some host pages still see.
      "no-unused-vars": ["error", {caughtErrors: "none"}],
      "no-restricted-properties": ["error",
        {property: "innerHTML", message: markup},
        {property: "outerHTML", message: markup},
        {property: "insertAdjacentHTML", message: markup},
        {object: "document", property: "write", message: markup}],
    },
  },
  // Host pages include widget.js with a plain <script> tag: it is a classic script.
  {files: ["web/static/widget.js"], languageOptions: {sourceType: "script"}},
];
