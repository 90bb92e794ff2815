package dev.torii.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.torii.gateway.test.v1.EchoRequest;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the protobuf body check against protobuf-java's own parser, the one grpc-java backends
 * run: whatever the parser refuses, the check refuses (so no body reaches a backend to fail there
 * with a 500), and whatever the check refuses, the parser refuses or would keep a known field as
 * an unknown one (a wire-type lie). Nothing but {@link MalformedMessageException} comes out. The
 * UTF-8 rule is fuzzed against protobuf's own validator.
 */
class ProtobufWireCheckFuzzTest {

    private final ProtobufWireCheck check = new ProtobufWireCheck();

    @FuzzTest(maxDuration = "60s")
    void agreesWithProtobufJava(byte[] body) {
        agrees(body, EchoRequest.getDescriptor(), EchoRequest.parser());
        agrees(body, ProtobufWireCheckTest.PROTO2, ProtobufWireCheckTest.PROTO2_PARSER);
    }

    @FuzzTest(maxDuration = "60s")
    void utf8AgreesWithProtobuf(byte[] text) {
        boolean valid = Utf8Check.firstInvalid(text, 0, text.length) < 0;

        assertThat(valid).as("valid UTF-8 per protobuf").isEqualTo(ByteString.copyFrom(text).isValidUtf8());
    }

    private void agrees(byte[] body, Descriptor type, Parser<? extends Message> parser) {
        Message parsed;
        try {
            parsed = parser.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            parsed = null;
        }
        MalformedMessageException refusal;
        try {
            check.check(body, type);
            refusal = null;
        } catch (MalformedMessageException e) {
            refusal = e;
        }
        if (parsed == null) {
            assertThat(refusal).as("protobuf-java refuses the body, so must the check").isNotNull();
        } else if (refusal != null) {
            assertThat(keepsAKnownFieldAsUnknown(parsed))
                    .as("the check refused what protobuf-java parses without a wire-type lie: " + refusal.getMessage())
                    .isTrue();
        }
    }

    // A known field number among a message's unknown fields: sent in a wire type its type does not have.
    private static boolean keepsAKnownFieldAsUnknown(Message message) {
        Descriptor type = message.getDescriptorForType();
        for (int number : message.getUnknownFields().asMap().keySet()) {
            if (type.findFieldByNumber(number) != null) {
                return true;
            }
        }
        for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
            if (field.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                continue;
            }
            List<?> values = field.getKey().isRepeated() ? (List<?>) field.getValue() : List.of(field.getValue());
            for (Object value : values) {
                if (keepsAKnownFieldAsUnknown((Message) value)) {
                    return true;
                }
            }
        }
        return false;
    }
}
