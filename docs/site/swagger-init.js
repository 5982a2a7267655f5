// Starts Swagger UI on the schema nginx serves (no inline script, so the
// page's Content-Security-Policy can forbid them).
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/api/schema/',
    dom_id: '#swagger-ui',
    deepLinking: true,
    tryItOutEnabled: false
  });
});
