// Starts Swagger UI on /api/docs from a file, as the CSP allows no inline script.
const root = document.getElementById("swagger-ui");
const SwaggerUIBundle = window.SwaggerUIBundle;
SwaggerUIBundle({
  url: root.dataset.openapi,
  domNode: root,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  deepLinking: true,
  validatorUrl: null, // the public validator badge would be fetched from another host
});
