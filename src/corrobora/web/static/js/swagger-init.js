// Swagger UI from the vendored bundle, reading this server's OpenAPI document.
/* global SwaggerUIBundle */
window.addEventListener("load", () => {
  window.ui = SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger-ui",
    deepLinking: true, presets: [SwaggerUIBundle.presets.apis] });
});
