package dev.torii.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.torii.gateway.test.v1.EchoRequest;
import dev.torii.gateway.test.v1.Nested;
import org.junit.jupiter.api.Test;

class ProtobufWireCheckTest {

    @Test
    void acceptsRealMessagesAndTheEmptyOne() {
        EchoRequest message = EchoRequest.newBuilder().setText("x").setNumber(-1).addTags("t")
                .setBlob(ByteString.copyFrom(new byte[300])).setNested(Nested.newBuilder().setRatio(2)).build();

        assertThat(ProtobufWireCheck.wellFormed(message.toByteArray())).isTrue();
        assertThat(ProtobufWireCheck.wellFormed(new byte[0])).isTrue();
    }

    @Test
    void refusesTruncatedAndGarbageBytes() {
        byte[] message = EchoRequest.newBuilder().setText("hello").build().toByteArray();
        byte[] truncated = java.util.Arrays.copyOf(message, message.length - 1);

        assertThat(ProtobufWireCheck.wellFormed(truncated)).isFalse();
        assertThat(ProtobufWireCheck.wellFormed(new byte[] {0})).isFalse();
        assertThat(ProtobufWireCheck.wellFormed(new byte[] {0x0f})).isFalse();
        assertThat(ProtobufWireCheck.wellFormed(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff})).isFalse();
        assertThat(ProtobufWireCheck.wellFormed("{\"json\": true}".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isFalse();
    }
}
