package dev.torii.gateway.grpc;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Passes message bytes through unparsed: the gateway never decodes a protobuf body on the hot
 * path, it only frames it for gRPC.
 */
public final class ByteArrayMarshaller implements MethodDescriptor.Marshaller<byte[]> {

    /** The shared instance; the marshaller has no state. */
    public static final ByteArrayMarshaller INSTANCE = new ByteArrayMarshaller();

    private ByteArrayMarshaller() {}

    /**
     * Creates the byte-level descriptor of a unary method.
     *
     * @param fullMethodName {@code package.Service/Method}
     * @return the method descriptor
     */
    public static MethodDescriptor<byte[], byte[]> unaryMethod(String fullMethodName) {
        return method(fullMethodName, MethodDescriptor.MethodType.UNARY);
    }

    /**
     * Creates the byte-level descriptor of a method of any type.
     *
     * @param fullMethodName {@code package.Service/Method}
     * @param type unary or streaming
     * @return the method descriptor
     */
    public static MethodDescriptor<byte[], byte[]> method(String fullMethodName, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(type)
                .setFullMethodName(fullMethodName)
                .setRequestMarshaller(INSTANCE)
                .setResponseMarshaller(INSTANCE)
                .build();
    }

    @Override
    public InputStream stream(byte[] value) {
        return new BytesStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
        try {
            // gRPC hands over a KnownLength stream whose available() is the whole message: one
            // array of the exact size, filled in one read, instead of readAllBytes' chunk buffers
            // and the copy that joins them (a sixth of a busy stream's CPU in the profile).
            if (stream instanceof KnownLength) {
                int length = stream.available();
                byte[] message = new byte[length];
                if (stream.readNBytes(message, 0, length) == length && stream.read() == -1) {
                    return message;
                }
                throw new IOException("a message of " + length + " bytes did not read as announced");
            }
            return stream.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // KnownLength and Drainable let gRPC's framer write the array in one go instead of copying it
    // through an intermediate buffer.
    private static final class BytesStream extends ByteArrayInputStream implements KnownLength, Drainable {
        BytesStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int length = count - pos;
            target.write(buf, pos, length);
            pos = count;
            return length;
        }
    }
}
