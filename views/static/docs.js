// Renders /openapi.json with Swagger UI (loaded before this script from /docs/assets/). A file, not an
// inline script, so the page runs under the Content-Security-Policy `default-src 'self'`.
window.addEventListener("DOMContentLoaded", () => {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null, // no badge fetched from an online validator: nothing leaves this server
  });
});
