package dev.torii.gateway.grpc;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;

/**
 * Checks that bytes are well-formed protobuf at the top level (valid tags, wire types, varints
 * and lengths) without building a message: cheap enough for the hot path, and it turns most
 * garbage into a clear 400 instead of an INTERNAL error from the backend's parser.
 */
public final class ProtobufWireCheck {

    private ProtobufWireCheck() {}

    /**
     * Tells whether {@code bytes} is a well-formed sequence of protobuf fields.
     *
     * @param bytes the body
     * @return true when every field parses
     */
    public static boolean wellFormed(byte[] bytes) {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        try {
            while (true) {
                int tag = in.readTag();
                if (tag == 0) {
                    return true;
                }
                if (!in.skipField(tag)) {
                    // An end-group tag with no group open.
                    return false;
                }
            }
        } catch (IOException e) {
            return false;
        }
    }
}
