package dev.torii.gateway.admin;

import dev.torii.gateway.openapi.OpenApiDocuments;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.http.MediaType;

/**
 * Serves the OpenAPI 3.1 documents of the routes in force on the management port:
 * {@code /actuator/openapi} for all routes, {@code /actuator/openapi/{routeFile}} for one route
 * file, named by its base name ({@code offer-service} for {@code offer-service.yaml}). A reload
 * that puts new routes in force changes what they answer.
 */
@WebEndpoint(id = "openapi", defaultAccess = Access.READ_ONLY)
public final class OpenApiEndpoint {

    private final OpenApiDocuments documents;

    /**
     * Creates the endpoint.
     *
     * @param documents the documents of the routes in force
     */
    public OpenApiEndpoint(OpenApiDocuments documents) {
        this.documents = documents;
    }

    /**
     * Returns the document of every route in force.
     *
     * @return the document, UTF-8 JSON
     */
    @ReadOperation(produces = MediaType.APPLICATION_JSON_VALUE)
    public byte[] allRoutes() {
        return documents.allRoutes();
    }

    /**
     * Returns the document of one route file in force.
     *
     * @param routeFile the file's base name
     * @return the document, or not found when no route file in force has that name
     */
    @ReadOperation(produces = MediaType.APPLICATION_JSON_VALUE)
    public WebEndpointResponse<byte[]> routeFile(@Selector String routeFile) {
        return documents.routeFile(routeFile).map(WebEndpointResponse::new)
                .orElseGet(() -> new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND));
    }
}
