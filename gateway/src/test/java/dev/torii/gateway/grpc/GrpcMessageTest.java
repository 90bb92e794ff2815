package dev.torii.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GrpcMessageTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "plain text|plain text",
        "100%|100%25",
        "ünïcode|%C3%BCn%C3%AFcode",
        "tab\tchar|tab%09char",
        "日本|%E6%97%A5%E6%9C%AC"})
    void percentEncodesGrpcMessagesAsTheProtocolSays(String message, String header) {
        assertThat(GrpcMessage.percentEncode(message)).isEqualTo(header);
    }
}
