package dev.torii.gateway.admin;

import dev.torii.gateway.openapi.OpenApiDocuments;
import java.util.List;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;

/**
 * Serves the page that renders the OpenAPI documents for people, on the management port:
 * {@code /actuator/apidocs} is Swagger UI with a choice of the all-routes document and each route
 * file's, and {@code /actuator/apidocs/{file}} serves Swagger UI's own files from its jar, so
 * nothing is fetched from the internet. Trying calls from the page is turned off: the page is on
 * the management port, the routes on the public one.
 */
@WebEndpoint(id = "apidocs", defaultAccess = Access.READ_ONLY)
public final class ApiDocsEndpoint {

    private final OpenApiDocuments documents;
    private final SwaggerUiAssets assets;

    /**
     * Creates the endpoint.
     *
     * @param documents the documents of the routes in force
     */
    public ApiDocsEndpoint(OpenApiDocuments documents) {
        this.documents = documents;
        this.assets = SwaggerUiAssets.load();
    }

    /**
     * Returns the page, listing the documents of the routes in force now.
     *
     * @return the HTML document
     */
    @ReadOperation(produces = MediaType.TEXT_HTML_VALUE + ";charset=UTF-8")
    public String page() {
        List<String> routeFiles = documents.routeFileNames();
        return ApiDocsPage.render(routeFiles, assets.version());
    }

    /**
     * Returns one of Swagger UI's files.
     *
     * @param file the file name, for example {@code swagger-ui-bundle.js}
     * @return the file with its type, or not found for any other name
     */
    @ReadOperation(produces = {"text/javascript", "text/css", MediaType.IMAGE_PNG_VALUE})
    public WebEndpointResponse<Resource> asset(@Selector String file) {
        return assets.file(file)
                .map(resource -> new WebEndpointResponse<>(resource, SwaggerUiAssets.FILES.get(file)))
                .orElseGet(() -> new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND));
    }
}
