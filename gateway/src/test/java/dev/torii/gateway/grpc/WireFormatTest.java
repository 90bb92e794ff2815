package dev.torii.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class WireFormatTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "application/x-protobuf|application/x-protobuf",
        "Application/X-Protobuf; messageType=a.B|application/x-protobuf",
        "application/protobuf|application/protobuf",
        "application/json|application/json",
        "application/json; charset=UTF-8|application/json",
        "application/json;charset=\"utf8\"|application/json"})
    void acceptsSupportedTypes(String header, String mediaType) {
        assertThat(WireFormat.supportedMediaType(header)).isEqualTo(mediaType);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "text/plain", "application/json; charset=latin1", "application/grpc",
        "application/jsonx", "application/x-protobuf-extra"})
    void refusesOthers(String header) {
        assertThat(WireFormat.supportedMediaType(header)).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "application/x-protobuf|PROTOBUF", "application/protobuf; x=y|PROTOBUF", "text/plain|JSON", "null|JSON"})
    void answersErrorsInTheFormatTheClientSpeaks(String header, WireFormat format) {
        assertThat(WireFormat.forErrors(header)).isEqualTo(format);
    }
}
