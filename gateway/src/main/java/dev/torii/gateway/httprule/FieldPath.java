package dev.torii.gateway.httprule;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * A dotted path of fields from a request type down to one field ({@code book.publish_time}),
 * resolved the way grpc-gateway's {@code populateFieldValueFromPath} resolves one (runtime/query.go):
 * each segment by its proto name, else by its JSON name, and every segment but the last a singular
 * message field.
 *
 * @param fields the fields, outermost first; never empty
 */
record FieldPath(List<FieldDescriptor> fields) {

    /**
     * The most segments a path may have. Real request types nest a handful deep; the limit keeps a
     * hostile {@code a.a.a…} from costing more than a glance.
     */
    static final int MAX_DEPTH = 32;

    /**
     * Resolves a path.
     *
     * @param type the request type
     * @param path the dotted path as the client or the binding wrote it
     * @return the path, or null when a segment names no field (an empty one included)
     * @throws BindingException when the path is deeper than {@link #MAX_DEPTH}, or goes through a
     *     field that is not a singular message
     */
    static FieldPath resolve(Descriptor type, String path) {
        int dots = 0;
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '.' && ++dots >= MAX_DEPTH) {
                throw new BindingException(FieldText.shortened(path), "field path " + FieldText.quoted(path)
                        + " has more than " + MAX_DEPTH + " segments (expected: at most " + MAX_DEPTH + ")");
            }
        }
        List<FieldDescriptor> fields = new ArrayList<>(dots + 1);
        Descriptor current = type;
        int start = 0;
        while (true) {
            int dot = path.indexOf('.', start);
            String segment = dot < 0 ? path.substring(start) : path.substring(start, dot);
            FieldDescriptor field = segment.isEmpty() ? null : findField(current, segment);
            if (field == null) {
                return null;
            }
            fields.add(field);
            if (dot < 0) {
                return new FieldPath(List.copyOf(fields));
            }
            if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || field.isRepeated()) {
                throw new BindingException(FieldText.shortened(path), "field path " + FieldText.quoted(path) + ": " + segment
                        + " is not a singular message field, so it has no fields to set (expected: a path"
                        + " through singular message fields)");
            }
            current = field.getMessageType();
            start = dot + 1;
        }
    }

    private static FieldDescriptor findField(Descriptor type, String name) {
        FieldDescriptor field = type.findFieldByName(name);
        if (field != null) {
            return field;
        }
        for (FieldDescriptor candidate : type.getFields()) {
            if (candidate.getJsonName().equals(name)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Returns the last field, the one the path sets.
     *
     * @return the field
     */
    FieldDescriptor last() {
        return fields.get(fields.size() - 1);
    }

    /**
     * Tells whether this path is {@code other} or goes through it, so that {@code other} being bound
     * elsewhere binds this path too.
     *
     * @param other a bound path
     * @return whether {@code other}'s fields begin this path's
     */
    boolean startsWith(FieldPath other) {
        return other.fields.size() <= fields.size() && fields.subList(0, other.fields.size()).equals(other.fields);
    }

    /**
     * Returns the path in proto field names, for error messages and field violations.
     *
     * @return for example {@code book.publish_time}
     */
    String protoNames() {
        StringBuilder names = new StringBuilder();
        for (FieldDescriptor field : fields) {
            names.append(names.isEmpty() ? "" : ".").append(field.getName());
        }
        return names.toString();
    }

    /**
     * Returns the builder of the message that holds the last field, creating the messages on the
     * way as {@code Mutable} does in protobuf-go, and keeping what an earlier step set in them.
     *
     * @param root the request builder
     * @return the builder whose field {@link #last()} is
     */
    Message.Builder containerIn(Message.Builder root) {
        Message.Builder builder = root;
        for (int i = 0; i < fields.size() - 1; i++) {
            builder = builder.getFieldBuilder(fields.get(i));
        }
        return builder;
    }
}
