package dev.torii.gateway.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torii.gateway.httprule.PathTemplate;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * google.api.http templates in OpenAPI's path syntax: one parameter per variable, whatever
 * segments it spans, and nothing for a template OpenAPI cannot state.
 */
class HttpRuleOperationsTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "/v1/offers                          | /v1/offers",
            "/v1/offers/{id}                     | /v1/offers/{id}",
            "/v1/sellers/{seller_id}/offers:watch | /v1/sellers/{seller_id}/offers:watch",
            "/v1/{name=shelves/*/books/*}        | /v1/{name}",
            "/v1/{book.id}/pages/{page}          | /v1/{book.id}/pages/{page}",
            "/v1/files/{path=**}                 | /v1/files/{path}",
            "/v1/*/offers                        | -",
            "/v1/**                              | -",
    })
    void writesTemplatesAsOpenApiPaths(String template, String expected) {
        assertThat(HttpRuleOperations.openApiPath(PathTemplate.parse(template))).isEqualTo(Optional.ofNullable(expected));
    }
}
