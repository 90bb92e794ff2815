package dev.torii.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.TextFormat;
import dev.torii.gateway.test.v1.EchoRequest;
import dev.torii.gateway.test.v1.EchoResponse;
import dev.torii.gateway.test.v1.Nested;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ProtobufWireCheckTest {

    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LEN = 2;
    private static final int START_GROUP = 3;
    private static final int END_GROUP = 4;
    private static final int FIXED32 = 5;

    /**
     * Proto2 shapes, built here rather than generated: generated group code calls deprecated
     * methods. {@code text} is not UTF-8 checked by protobuf-java (proto2), map entries are.
     */
    static final Descriptor PROTO2 = proto2Shapes();
    static final Parser<DynamicMessage> PROTO2_PARSER = DynamicMessage.getDefaultInstance(PROTO2).getParserForType();

    private final ProtobufWireCheck check = new ProtobufWireCheck();

    private static Descriptor proto2Shapes() {
        String file = """
                name: "proto2_shapes.proto" package: "torii.test.v1" syntax: "proto2"
                message_type {
                  name: "Proto2Shapes"
                  field { name: "text" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
                  field { name: "fixed" number: 2 label: LABEL_REPEATED type: TYPE_FIXED32 options { packed: true } }
                  field { name: "plain" number: 3 label: LABEL_REPEATED type: TYPE_INT32 }
                  field { name: "item" number: 4 label: LABEL_OPTIONAL type: TYPE_GROUP type_name: ".torii.test.v1.Proto2Shapes.Item" }
                  field { name: "labels" number: 7 label: LABEL_REPEATED type: TYPE_MESSAGE
                          type_name: ".torii.test.v1.Proto2Shapes.LabelsEntry" }
                  field { name: "child" number: 8 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".torii.test.v1.Proto2Shapes" }
                  field { name: "data" number: 9 label: LABEL_OPTIONAL type: TYPE_BYTES }
                  nested_type {
                    name: "Item"
                    field { name: "id" number: 5 label: LABEL_OPTIONAL type: TYPE_INT32 }
                    field { name: "inner" number: 6 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".torii.test.v1.Proto2Shapes" }
                  }
                  nested_type {
                    name: "LabelsEntry" options { map_entry: true }
                    field { name: "key" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
                    field { name: "value" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING }
                  }
                }
                """;
        try {
            DescriptorProtos.FileDescriptorProto.Builder proto = DescriptorProtos.FileDescriptorProto.newBuilder();
            TextFormat.merge(file, proto);
            return Descriptors.FileDescriptor.buildFrom(proto.build(), new Descriptors.FileDescriptor[0])
                    .findMessageTypeByName("Proto2Shapes");
        } catch (TextFormat.ParseException | Descriptors.DescriptorValidationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void acceptsRealMessagesAndTheEmptyOne() {
        EchoRequest message = EchoRequest.newBuilder().setText("héllo ✓ 😀").setNumber(-1).addTags("t")
                .setBlob(ByteString.copyFrom(new byte[300]))
                .setNested(Nested.newBuilder().setRatio(2).setChild(Nested.newBuilder().setFlag(true))).build();

        assertAccepted(message.toByteArray(), EchoRequest.getDescriptor(), EchoRequest.parser());
        assertAccepted(new byte[0], EchoRequest.getDescriptor(), EchoRequest.parser());
        assertAccepted(EchoResponse.newBuilder().putMetadata("k", "v").build().toByteArray(),
                EchoResponse.getDescriptor(), EchoResponse.parser());
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of("unknown fields of every wire type", new Wire()
                        .tag(20, VARINT).varint(-1L).tag(21, FIXED64).raw(new byte[8]).bytes(22, new byte[] {(byte) 0xff})
                        .tag(23, START_GROUP).tag(24, VARINT).varint(1).tag(23, END_GROUP).tag(25, FIXED32).raw(new byte[4])
                        .build(), EchoRequest.getDescriptor(), EchoRequest.parser()),
                Arguments.of("unknown length-delimited bytes are not looked into", new Wire()
                        .bytes(20, new byte[] {0, 0x0f, (byte) 0xff}).build(), EchoRequest.getDescriptor(), EchoRequest.parser()),
                Arguments.of("100 nested messages, the limit", nestedMessages(100), EchoRequest.getDescriptor(),
                        EchoRequest.parser()),
                Arguments.of("100 nested unknown groups, the limit", unknownGroups(100), EchoRequest.getDescriptor(),
                        EchoRequest.parser()),
                Arguments.of("a proto2 string is not checked for UTF-8", new Wire()
                        .bytes(1, new byte[] {(byte) 0xc3, 0x28}).build(), PROTO2, PROTO2_PARSER),
                Arguments.of("a packed field in the unpacked form", new Wire()
                        .tag(2, FIXED32).raw(new byte[4]).tag(2, FIXED32).raw(new byte[4]).build(),
                        PROTO2, PROTO2_PARSER),
                Arguments.of("an unpacked field in the packed form", new Wire()
                        .tag(3, LEN).varint(3).varint(1).varint(300).build(), PROTO2, PROTO2_PARSER),
                Arguments.of("a group with a message inside", new Wire()
                        .tag(4, START_GROUP).tag(5, VARINT).varint(7).message(6, new Wire().tag(9, LEN).varint(0))
                        .tag(4, END_GROUP).build(), PROTO2, PROTO2_PARSER),
                Arguments.of("a 10-byte varint", new Wire().tag(2, VARINT)
                        .raw(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, -1, 1}).build(), EchoRequest.getDescriptor(),
                        EchoRequest.parser()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void acceptsWhatTheParserAccepts(String name, byte[] body, Descriptor type, Parser<? extends Message> parser) {
        assertAccepted(body, type, parser);
    }

    static Stream<Arguments> refused() {
        byte[] hello = new Wire().bytes(1, "hello".getBytes(StandardCharsets.UTF_8)).build();
        return Stream.of(
                // name, body, type, parser (null: the parser keeps the field as unknown), expected text
                Arguments.of("truncated string", Arrays.copyOf(hello, hello.length - 1), EchoRequest.getDescriptor(),
                        EchoRequest.parser(), "field text: While parsing a protocol message, the input ended unexpectedly"),
                Arguments.of("tag zero", new byte[] {0}, EchoRequest.getDescriptor(), EchoRequest.parser(),
                        "invalid tag (zero) at byte 1"),
                Arguments.of("wire type 7 of an unknown field", new Wire().tag(15, 7).build(), EchoRequest.getDescriptor(),
                        EchoRequest.parser(), "field #15: wire type 7 at byte 0 (expected: 0 to 5)"),
                Arguments.of("a varint that never ends", new Wire().tag(2, VARINT).raw(filled(9, (byte) 0xff)).build(),
                        EchoRequest.getDescriptor(), EchoRequest.parser(), "field number: While parsing a protocol message"),
                Arguments.of("JSON sent as protobuf", "{\"json\": true}".getBytes(StandardCharsets.UTF_8),
                        EchoRequest.getDescriptor(), EchoRequest.parser(), "request body is not a valid torii.test.v1.EchoRequest"),
                Arguments.of("int64 sent as fixed64", new Wire().tag(2, FIXED64).raw(new byte[8]).build(),
                        EchoRequest.getDescriptor(), null, "field number: wire type 64-bit at byte 0 (expected: varint for int64)"),
                Arguments.of("message sent as varint", new Wire().tag(5, VARINT).varint(1).build(),
                        EchoRequest.getDescriptor(), null,
                        "field nested: wire type varint at byte 0 (expected: length-delimited for message torii.test.v1.Nested)"),
                Arguments.of("string sent as fixed32", new Wire().tag(4, FIXED32).raw(new byte[4]).build(),
                        EchoRequest.getDescriptor(), null, "field tags: wire type 32-bit at byte 0 (expected: length-delimited for repeated string)"),
                Arguments.of("a wire-type lie deep inside", new Wire().message(5, new Wire().tag(2, VARINT).varint(1)).build(),
                        EchoRequest.getDescriptor(), null, "field nested.ratio: wire type varint at byte 2 (expected: 64-bit for double)"),
                Arguments.of("invalid UTF-8 in a proto3 string", new Wire().bytes(1, new byte[] {'a', (byte) 0xc3, 0x28}).build(),
                        EchoRequest.getDescriptor(), EchoRequest.parser(), "field text: invalid UTF-8 at byte 3"),
                Arguments.of("a surrogate in a repeated string", new Wire().bytes(4, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80})
                        .build(), EchoRequest.getDescriptor(), EchoRequest.parser(), "field tags: invalid UTF-8"),
                Arguments.of("invalid UTF-8 in a map key", new Wire().message(6, new Wire().bytes(1, new byte[] {(byte) 0xff}))
                        .build(), EchoResponse.getDescriptor(), EchoResponse.parser(), "field metadata.key: invalid UTF-8"),
                Arguments.of("invalid UTF-8 in a proto2 map value", new Wire().message(7, new Wire().bytes(2, new byte[] {(byte) 0xc0, (byte) 0x80}))
                        .build(), PROTO2, PROTO2_PARSER, "field labels.value: invalid UTF-8"),
                Arguments.of("101 nested messages", nestedMessages(101), EchoRequest.getDescriptor(), EchoRequest.parser(),
                        "field nested.child.child"),
                Arguments.of("101 nested unknown groups", unknownGroups(101), EchoRequest.getDescriptor(), EchoRequest.parser(),
                        "nested more than 100 messages deep"),
                Arguments.of("a group never closed", new Wire().tag(15, START_GROUP).tag(1, VARINT).varint(1).build(),
                        EchoRequest.getDescriptor(), EchoRequest.parser(), "field #15: the group ends without its end-group tag"),
                Arguments.of("a group closed by another's tag", new Wire().tag(15, START_GROUP).tag(14, END_GROUP).build(),
                        EchoRequest.getDescriptor(), EchoRequest.parser(), "field #15: end-group tag of field 14 at byte 1 (expected: the end of group 15)"),
                Arguments.of("an end-group tag at the top", new Wire().tag(15, END_GROUP).build(), EchoRequest.getDescriptor(),
                        EchoRequest.parser(), "end-group tag of field 15 at byte 0 (expected: no end-group tag outside a group)"),
                Arguments.of("an end-group tag inside a message", new Wire().message(5, new Wire().tag(5, END_GROUP)).build(),
                        EchoRequest.getDescriptor(), EchoRequest.parser(), "field nested: end-group tag of field 5"),
                Arguments.of("a negative length", new Wire().tag(3, LEN).raw(new byte[] {-1, -1, -1, -1, 0x0f}).build(),
                        EchoRequest.getDescriptor(), EchoRequest.parser(), "field blob: CodedInputStream encountered an embedded string"),
                Arguments.of("a length past the end", new Wire().tag(3, LEN).varint(10).raw(new byte[3]).build(),
                        EchoRequest.getDescriptor(), EchoRequest.parser(), "field blob: While parsing"),
                Arguments.of("a nested field past its message's end", new Wire().tag(5, LEN).varint(5).tag(2, FIXED64).raw(new byte[8])
                        .build(), EchoRequest.getDescriptor(), EchoRequest.parser(), "field nested.ratio: While parsing"),
                Arguments.of("packed fixed32 of 5 bytes", new Wire().tag(2, LEN).varint(5).raw(new byte[5]).build(),
                        PROTO2, PROTO2_PARSER, "field fixed: packed values of 5 bytes at byte 2 (expected: a multiple of 4)"),
                Arguments.of("an int32 varint whose 10th byte goes on (found by the fuzzer)", new Wire().tag(3, LEN).varint(11)
                        .raw(filled(10, (byte) 0xff)).raw(new byte[] {1}).build(), PROTO2, PROTO2_PARSER,
                        "field plain: CodedInputStream encountered a malformed varint"),
                Arguments.of("a packed varint cut short", new Wire().tag(3, LEN).varint(1).raw(new byte[] {(byte) 0x80}).build(),
                        PROTO2, PROTO2_PARSER, "field plain: "),
                Arguments.of("a proto2 group sent length-delimited", new Wire().tag(4, LEN).varint(0).build(),
                        PROTO2, null, "field item: wire type length-delimited at byte 0 (expected: start-group for group"),
                Arguments.of("invalid UTF-8 in a map key inside a group", new Wire()
                        .tag(4, START_GROUP).message(6, new Wire().message(7, new Wire().bytes(1, new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80})))
                        .tag(4, END_GROUP).build(), PROTO2, PROTO2_PARSER, "field item.inner.labels.key: invalid UTF-8"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusesWhatTheParserRefusesOrWouldMisread(String name, byte[] body, Descriptor type, Parser<? extends Message> parser,
            String expected) {
        Throwable refusal = catchThrowable(() -> check.check(body, type));

        assertThat(refusal).isInstanceOf(MalformedMessageException.class).hasMessageContaining(expected)
                .hasMessageStartingWith("request body is not a valid " + type.getFullName() + ": ");
        if (parser != null) {
            assertThatThrownBy(() -> parser.parseFrom(body)).as("protobuf-java refuses it too")
                    .isInstanceOf(InvalidProtocolBufferException.class);
        }
    }

    @Test
    void aWireTypeLieIsWhatTheParserWouldKeepAsAnUnknownField() throws InvalidProtocolBufferException {
        byte[] lie = new Wire().tag(2, FIXED64).raw(new byte[] {1, 0, 0, 0, 0, 0, 0, 0}).build();

        EchoRequest parsed = EchoRequest.parseFrom(lie);

        assertThat(parsed.getNumber()).as("the value is lost").isZero();
        assertThat(parsed.getUnknownFields().hasField(2)).isTrue();
    }

    private void assertAccepted(byte[] body, Descriptor type, Parser<? extends Message> parser) {
        assertThatCode(() -> parser.parseFrom(body)).as("protobuf-java accepts it").doesNotThrowAnyException();
        assertThatCode(() -> check.check(body, type)).doesNotThrowAnyException();
    }

    // EchoRequest.nested, then Nested.child as often as it takes for `depth` messages below the top.
    static byte[] nestedMessages(int depth) {
        Wire inner = new Wire().tag(1, VARINT).varint(1);
        for (int i = depth; i > 1; i--) {
            inner = new Wire().message(3, inner);
        }
        return new Wire().message(5, inner).build();
    }

    static byte[] unknownGroups(int depth) {
        Wire wire = new Wire();
        for (int i = 0; i < depth; i++) {
            wire.tag(15, START_GROUP);
        }
        for (int i = 0; i < depth; i++) {
            wire.tag(15, END_GROUP);
        }
        return wire.build();
    }

    private static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return bytes;
    }

    /** Writes protobuf wire format by hand, lies included. */
    static final class Wire {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Wire tag(int number, int wireType) {
            return varint(((long) number << 3) | wireType);
        }

        Wire varint(long value) {
            long v = value;
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Wire raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        Wire bytes(int number, byte[] value) {
            return tag(number, LEN).varint(value.length).raw(value);
        }

        Wire message(int number, Wire inner) {
            return bytes(number, inner.build());
        }

        byte[] build() {
            return out.toByteArray();
        }
    }
}
