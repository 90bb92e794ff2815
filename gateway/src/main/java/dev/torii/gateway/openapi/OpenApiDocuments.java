package dev.torii.gateway.openapi;

import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.route.ServiceRoutes;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps the OpenAPI documents of the route table in force: one of all routes, and one per route
 * file named by the file's base name ({@code offer-service} for {@code offer-service.yaml}). They
 * are written once per table, on first request after a reload put it in force.
 */
public final class OpenApiDocuments {

    private final RouteRegistry routes;
    private final OpenApiGenerator generator;
    private volatile Written written;

    /**
     * Creates the documents of a registry's tables.
     *
     * @param routes the table in force
     * @param generator writes the documents
     */
    public OpenApiDocuments(RouteRegistry routes, OpenApiGenerator generator) {
        this.routes = routes;
        this.generator = generator;
    }

    /**
     * Returns the document of every route in force.
     *
     * @return UTF-8 JSON
     */
    public byte[] allRoutes() {
        return current().all();
    }

    /**
     * Returns the document of one route file in force.
     *
     * @param name the file's base name, for example {@code offer-service}
     * @return UTF-8 JSON; empty when no route file in force has that name
     */
    public Optional<byte[]> routeFile(String name) {
        return Optional.ofNullable(current().byFile().get(name));
    }

    /**
     * Returns the names of the route files in force, in load order.
     *
     * @return the base names
     */
    public List<String> routeFileNames() {
        return List.copyOf(current().byFile().keySet());
    }

    /**
     * Names a route file's document: the file name without its {@code .yaml} or {@code .yml}.
     *
     * @param file the route file
     * @return the base name
     */
    public static String name(Path file) {
        String fileName = file.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    // Two callers seeing a new table at once may both write its documents: the same bytes, so no lock.
    private Written current() {
        RouteTable table = routes.current();
        Written last = written;
        if (last != null && last.table() == table) {
            return last;
        }
        Map<String, byte[]> byFile = new LinkedHashMap<>();
        for (ServiceRoutes service : table.services()) {
            String name = name(service.file());
            // a.yaml and a.yml in one folder: the second keeps its extension to stay reachable.
            byFile.put(byFile.containsKey(name) ? service.file().getFileName().toString() : name,
                    OpenApiGenerator.json(generator.routeFile(service)));
        }
        Written fresh = new Written(table, OpenApiGenerator.json(generator.allRoutes(table)), byFile);
        written = fresh;
        return fresh;
    }

    /** The documents of one table. */
    private record Written(RouteTable table, byte[] all, Map<String, byte[]> byFile) {}
}
