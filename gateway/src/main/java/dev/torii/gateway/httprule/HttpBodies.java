package dev.torii.gateway.httprule;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Message;

/**
 * Reads and writes {@code google.api.HttpBody}, the message that carries "an arbitrary HTTP body"
 * (google/api/httpbody.proto) in place of JSON: its {@code content_type} and {@code data} fields.
 * Types are matched by full name, since the descriptors the gateway loads are not the generated
 * class's.
 */
final class HttpBodies {

    static final String FULL_NAME = "google.api.HttpBody";

    /** What an answer whose {@code content_type} is empty is sent as: bytes of no stated kind. */
    static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

    private HttpBodies() {}

    static boolean is(Descriptor type) {
        return type.getFullName().equals(FULL_NAME);
    }

    /**
     * Puts a raw request body into an HttpBody builder.
     *
     * @param httpBody the builder
     * @param data the request body
     * @param contentType the request's Content-Type, possibly null
     */
    static void fill(Message.Builder httpBody, byte[] data, String contentType) {
        Descriptor type = httpBody.getDescriptorForType();
        if (contentType != null && !contentType.isEmpty()) {
            httpBody.setField(type.findFieldByName("content_type"), contentType);
        }
        if (data.length > 0) {
            httpBody.setField(type.findFieldByName("data"), ByteString.copyFrom(data));
        }
    }

    /**
     * Reads an HttpBody's bytes.
     *
     * @param httpBody the message
     * @return its {@code data}
     */
    static byte[] data(Message httpBody) {
        return ((ByteString) httpBody.getField(httpBody.getDescriptorForType().findFieldByName("data"))).toByteArray();
    }

    /**
     * Reads an HttpBody's content type.
     *
     * @param httpBody the message
     * @return its {@code content_type}, or {@link #DEFAULT_CONTENT_TYPE} when empty
     */
    static String contentType(Message httpBody) {
        String contentType = (String) httpBody.getField(httpBody.getDescriptorForType().findFieldByName("content_type"));
        return contentType.isEmpty() ? DEFAULT_CONTENT_TYPE : contentType;
    }
}
