// The API documentation page: Swagger UI (vendored) over the API's own OpenAPI schema.
// A static file, so the page needs no inline script under the Content-Security-Policy.
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("swagger-ui");
  if (!el || typeof SwaggerUIBundle === "undefined") return;
  SwaggerUIBundle({
    url: el.dataset.schemaUrl,
    domNode: el,
    deepLinking: false,
    docExpansion: "none",
    defaultModelsExpandDepth: 0,
    validatorUrl: null,
    tryItOutEnabled: false
  });
});
