package dev.torii.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Struct;
import dev.torii.gateway.test.v1.EchoRequest;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes JSON request bodies into protobuf for message types of every shape a method can take
 * (scalars, repeated and nested fields, a recursive type, {@code Any} through {@code google.rpc.Status},
 * {@code Struct}'s free JSON): the only refusal is {@link MalformedMessageException} (a 400), and
 * what is accepted is protobuf the backend parses and the wire check passes.
 */
class JsonTranscoderFuzzTest {

    private static final List<Descriptor> TYPES = List.of(EchoRequest.getDescriptor(),
            com.google.rpc.Status.getDescriptor(), Struct.getDescriptor());

    private final JsonTranscoder json = new JsonTranscoder(DescriptorRegistry.of(List.of(
            EchoRequest.getDescriptor().getFile(), com.google.rpc.StatusProto.getDescriptor(),
            com.google.protobuf.StructProto.getDescriptor())));
    private final ProtobufWireCheck check = new ProtobufWireCheck();

    @FuzzTest(maxDuration = "60s")
    @DictionaryEntries({"{", "}", "[", "]", ":", ",", "\"", "\\u", "true", "null", "-0", "1e999", "\"NaN\"",
        "\"text\"", "\"number\"", "\"blob\"", "\"tags\"", "\"nested\"", "\"child\"", "\"ratio\"", "\"flag\"",
        "\"code\"", "\"details\"", "\"@type\"", "\"value\"", "\"type.googleapis.com/google.protobuf.Struct\"",
        "\"type.googleapis.com/google.protobuf.Any\"", "\"type.googleapis.com/google.rpc.RetryInfo\"", "\"retryDelay\"",
        "\"fields\"", "\"9223372036854775808\""})
    void refusesOnlyWithMalformedMessage(byte[] input) throws Exception {
        // The first byte picks the message type; the rest is the body.
        Descriptor type = TYPES.get(input.length == 0 ? 0 : (input[0] & 0xff) % TYPES.size());
        byte[] body = input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length);

        byte[] protobuf;
        try {
            protobuf = json.toProtobuf(body, type);
        } catch (MalformedMessageException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        assertThatCode(() -> DynamicMessage.parseFrom(type, protobuf)).doesNotThrowAnyException();
        check.check(protobuf, type);
    }
}
