package dev.torii.gateway.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;

/**
 * Finds the Swagger UI files the API documents page needs inside the {@code org.webjars:swagger-ui}
 * jar, so that the page loads nothing from the internet. Only the files the page uses are served.
 */
final class SwaggerUiAssets {

    private static final String POM_PROPERTIES = "META-INF/maven/org.webjars/swagger-ui/pom.properties";

    /** The files the page refers to, with their types. */
    static final Map<String, MediaType> FILES = Map.of(
            "swagger-ui.css", MediaType.valueOf("text/css"),
            "index.css", MediaType.valueOf("text/css"),
            "swagger-ui-bundle.js", MediaType.valueOf("text/javascript"),
            "swagger-ui-standalone-preset.js", MediaType.valueOf("text/javascript"),
            "favicon-16x16.png", MediaType.IMAGE_PNG,
            "favicon-32x32.png", MediaType.IMAGE_PNG);

    private final String folder;
    private final String version;

    private SwaggerUiAssets(String version) {
        this.version = version;
        this.folder = "META-INF/resources/webjars/swagger-ui/" + version + "/";
    }

    /**
     * Finds the Swagger UI jar on the class path.
     *
     * @return the assets
     * @throws IllegalStateException when the jar is missing
     */
    static SwaggerUiAssets load() {
        ClassPathResource pom = new ClassPathResource(POM_PROPERTIES);
        if (!pom.exists()) {
            throw new IllegalStateException(POM_PROPERTIES + " not on the class path (expected: org.webjars:swagger-ui)");
        }
        Properties properties = new Properties();
        try (InputStream in = pom.getInputStream()) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SwaggerUiAssets(properties.getProperty("version"));
    }

    /**
     * Returns Swagger UI's version, for the page.
     *
     * @return for example {@code 5.35.0}
     */
    String version() {
        return version;
    }

    /**
     * Finds one of the page's files.
     *
     * @param name the file name, for example {@code swagger-ui.css}
     * @return the file, when it is one the page uses
     */
    Optional<Resource> file(String name) {
        if (!FILES.containsKey(name)) {
            return Optional.empty();
        }
        Resource resource = new ClassPathResource(folder + name);
        return resource.exists() ? Optional.of(resource) : Optional.empty();
    }
}
