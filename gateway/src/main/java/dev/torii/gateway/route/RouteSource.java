package dev.torii.gateway.route;

import java.nio.file.Path;

/**
 * Points at the place in a route file that defined something, for error messages and the status
 * page.
 *
 * @param file the route file
 * @param line 1-based line
 */
public record RouteSource(Path file, int line) {

    @Override
    public String toString() {
        return file + ":" + line;
    }
}
