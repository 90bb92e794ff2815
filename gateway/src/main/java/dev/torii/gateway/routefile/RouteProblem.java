package dev.torii.gateway.routefile;

import java.nio.file.Path;

/**
 * Describes one thing wrong in a route file, precise enough to fix without guessing.
 *
 * @param file the route file
 * @param line 1-based line, 0 when the problem concerns the whole file
 * @param field the field's path inside the file, for example {@code methods[1].timeout}; empty
 *     for the whole file
 * @param message what is wrong and what was expected
 */
public record RouteProblem(Path file, int line, String field, String message) {

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder().append(file);
        if (line > 0) {
            text.append(':').append(line);
        }
        text.append(": ");
        if (!field.isEmpty()) {
            text.append(field).append(": ");
        }
        return text.append(message).toString();
    }
}
