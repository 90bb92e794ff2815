package dev.torii.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Checks the API documents page: a choice of every document, its files all beside it, and route
 * file names that cannot break out of the script or the links.
 */
class ApiDocsPageTest {

    @Test
    void offersTheAllRoutesDocumentAndEachRouteFilesWithFilesServedBesideThePage() {
        String page = ApiDocsPage.render(List.of("offer-service", "search"), "5.35.0");

        assertThat(page).contains("{\"name\":\"All routes\",\"url\":\"openapi\"}",
                "{\"name\":\"offer-service\",\"url\":\"openapi/offer-service\"}",
                "{\"name\":\"search\",\"url\":\"openapi/search\"}",
                "<script src=\"apidocs/swagger-ui-bundle.js\"></script>",
                "<link rel=\"stylesheet\" href=\"apidocs/swagger-ui.css\">",
                "<li><a href=\"openapi/search\">search</a></li>", "supportedSubmitMethods: []", "validatorUrl: null",
                "Swagger UI 5.35.0");
        assertThat(page).doesNotContain("http://", "https://");
    }

    @Test
    void aRouteFileNameCannotEndTheScriptOrALink() {
        String page = ApiDocsPage.render(List.of("</script><script>alert(1)</script>", "a\"b"), "5.35.0");

        assertThat(page).doesNotContain("</script><script>alert(1)")
                .contains("\\u003c/script>\\u003cscript>alert(1)\\u003c/script>", "a\\\"b", "openapi/a&quot;b");
    }
}
