package dev.torii.gateway.admin;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders the API documents page: Swagger UI from the files {@link ApiDocsEndpoint} serves beside
 * it, set up to offer the all-routes document and each route file's, with plain links to the
 * same documents for a browser without script.
 */
final class ApiDocsPage {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ApiDocsPage() {}

    /** One entry of Swagger UI's choice of documents. */
    private record Document(String name, String url) {}

    /**
     * Renders the page.
     *
     * @param routeFiles the base names of the route files in force
     * @param swaggerUiVersion Swagger UI's version, shown on the page
     * @return the HTML document
     */
    static String render(List<String> routeFiles, String swaggerUiVersion) {
        // Relative to /actuator/apidocs, so the page works under any management base path.
        List<Document> urls = new ArrayList<>();
        urls.add(new Document("All routes", "openapi"));
        routeFiles.forEach(name -> urls.add(new Document(name, "openapi/" + name)));
        // "<" escaped: a route file name must not be able to end the script.
        String urlsJson = JSON.writeValueAsString(urls).replace("<", "\\u003c");
        StringBuilder links = new StringBuilder("<li><a href=\"openapi\">All routes</a></li>");
        routeFiles.forEach(name -> links.append("<li><a href=\"openapi/").append(StatusPage.escape(name)).append("\">")
                .append(StatusPage.escape(name)).append("</a></li>"));
        return """
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8">
                <title>Torii gateway: API documents</title>
                <link rel="stylesheet" href="apidocs/swagger-ui.css">
                <link rel="stylesheet" href="apidocs/index.css">
                <link rel="icon" type="image/png" href="apidocs/favicon-32x32.png" sizes="32x32">
                </head><body>
                <div id="swagger-ui"><noscript><p>The OpenAPI 3.1 documents of the routes in force:</p>
                <ul id="documents">%s</ul><p><a href="torii">Gateway status</a></p></noscript></div>
                <script src="apidocs/swagger-ui-bundle.js"></script>
                <script src="apidocs/swagger-ui-standalone-preset.js"></script>
                <script>
                window.ui = SwaggerUIBundle({
                  urls: %s,
                  "urls.primaryName": "All routes",
                  dom_id: "#swagger-ui",
                  deepLinking: true,
                  supportedSubmitMethods: [],
                  validatorUrl: null,
                  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
                  plugins: [SwaggerUIBundle.plugins.DownloadUrl],
                  layout: "StandaloneLayout"
                });
                </script>
                <!-- Swagger UI %s, served by the gateway from its jar. -->
                </body></html>
                """.formatted(links, urlsJson, StatusPage.escape(swaggerUiVersion));
    }
}
