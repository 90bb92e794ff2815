package dev.torii.gateway.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Checks a protobuf body against its message type's descriptor the way protobuf-java's parser
 * reads it, without building a message: every tag, varint and length well-formed, nothing
 * truncated, groups closed by their own end tag, messages and groups nested at most
 * {@link #RECURSION_LIMIT} deep (unknown groups count, as they do for the parser), valid UTF-8 in
 * the {@code string} fields the parser verifies (proto3 and edition {@code VERIFY} fields, map
 * keys and values; not proto2's), and each known field carried in the wire type its declared type
 * has (repeated scalars packed or not). A body that fails here would fail in the backend's parser
 * and come back as INTERNAL (500), or, for a wire type contradicting the field, would be read by
 * it as an unknown field and lose the value without a word; either way the client learns it at
 * once, with the field's path, as INVALID_ARGUMENT.
 *
 * <p>Cheap on the hot path: one pass over the bytes, no allocation per field, descriptors looked
 * at once per message type (a plan per type, kept for the life of this object).
 */
public final class ProtobufWireCheck {

    /**
     * How deep messages and groups may nest below the top-level message: protobuf-java's default
     * recursion limit ({@code CodedInputStream.DEFAULT_RECURSION_LIMIT}), which grpc-java backends
     * parse with; protobuf C++ applies the same 100.
     */
    public static final int RECURSION_LIMIT = 100;

    // Varints read as protobuf-java reads each type: 32-bit ones (int32, uint32, sint32, enum) with
    // readRawVarint32, which refuses a 10th byte with its continuation bit set; 64-bit ones (and
    // bool, and unknown fields) with readRawVarint64, which (in protobuf-java 4.36) does not.
    private static final byte VARINT = 0;
    private static final byte VARINT32 = 7;
    private static final byte FIXED64 = 1;
    private static final byte BYTES = 2;
    private static final byte FIXED32 = 3;
    private static final byte STRING_UTF8 = 4;
    private static final byte MESSAGE = 5;
    private static final byte GROUP = 6;

    private final ConcurrentMap<Descriptor, Plan> plans = new ConcurrentHashMap<>();

    /** Creates a check with an empty plan cache. */
    public ProtobufWireCheck() {}

    /**
     * Checks that {@code body} parses as a {@code type}.
     *
     * @param body the encoded message
     * @param type the message type the body claims to be
     * @throws MalformedMessageException naming the field path, the byte offset, what was found
     *     and what was expected
     */
    public void check(byte[] body, Descriptor type) {
        CodedInputStream in = CodedInputStream.newInstance(body);
        try {
            fields(in, body, plan(type), 0, 0);
        } catch (Problem problem) {
            throw new MalformedMessageException("request body is not a valid " + type.getFullName() + ": "
                    + (problem.path == null ? "" : "field " + problem.path + ": ") + problem.getMessage());
        }
    }

    // Reads fields up to the current limit (a message) or to the end tag of group `group`.
    private void fields(CodedInputStream in, byte[] body, Plan plan, int depth, int group) throws Problem {
        while (true) {
            int at = in.getTotalBytesRead();
            int tag;
            try {
                tag = in.readTag();
            } catch (IOException e) {
                throw Problem.of(e, in);
            }
            if (tag == 0) {
                if (group != 0) {
                    throw new Problem("the group ends without its end-group tag at byte " + in.getTotalBytesRead()
                            + " (expected: an end-group tag for field " + group + ")");
                }
                return;
            }
            int number = WireFormat.getTagFieldNumber(tag);
            int wireType = WireFormat.getTagWireType(tag);
            if (wireType == WireFormat.WIRETYPE_END_GROUP) {
                if (number == group) {
                    return;
                }
                throw new Problem("end-group tag of field " + number + " at byte " + at
                        + (group == 0 ? " (expected: no end-group tag outside a group)"
                                : " (expected: the end of group " + group + ")"));
            }
            FieldDescriptor field = plan.type.findFieldByNumber(number);
            try {
                if (field == null) {
                    unknown(in, body, number, wireType, depth, at);
                } else {
                    known(in, body, plan, field, wireType, depth, at);
                }
            } catch (Problem problem) {
                throw problem.within(field == null ? "#" + number : field.getName());
            } catch (IOException e) {
                throw Problem.of(e, in).within(field == null ? "#" + number : field.getName());
            }
        }
    }

    private void known(CodedInputStream in, byte[] body, Plan plan, FieldDescriptor field, int wireType, int depth,
            int at)
            throws Problem, IOException {
        int index = field.getIndex();
        byte kind = plan.kinds[index];
        int expected = expectedWireType(kind);
        if (wireType == expected) {
            switch (kind) {
                case VARINT -> in.readRawVarint64();
                case VARINT32 -> in.readRawVarint32();
                case FIXED64 -> in.skipRawBytes(8);
                case FIXED32 -> in.skipRawBytes(4);
                case BYTES -> in.skipRawBytes(in.readRawVarint32());
                case STRING_UTF8 -> utf8(in, body);
                case MESSAGE -> message(in, body, plan.child(this, index), depth);
                case GROUP -> group(in, body, plan.child(this, index), depth, field.getNumber());
                default -> throw new IllegalStateException("kind " + kind);
            }
        } else if (wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED && plan.packable[index]) {
            packed(in, kind);
        } else {
            throw new Problem("wire type " + wireTypeName(wireType) + " at byte " + at
                    + " (expected: " + wireTypeName(expected) + (plan.packable[index] ? " or length-delimited" : "")
                    + " for " + (field.isRepeated() && !field.isMapField() ? "repeated " : "") + typeName(field) + ")");
        }
    }

    // Unknown fields, as protobuf-java's UnknownFieldSet reads them: values skipped, groups
    // walked (and counted against the recursion limit), length-delimited values not looked into.
    private void unknown(CodedInputStream in, byte[] body, int number, int wireType, int depth, int at)
            throws Problem, IOException {
        switch (wireType) {
            case WireFormat.WIRETYPE_VARINT -> in.readRawVarint64();
            case WireFormat.WIRETYPE_FIXED64 -> in.skipRawBytes(8);
            case WireFormat.WIRETYPE_LENGTH_DELIMITED -> in.skipRawBytes(in.readRawVarint32());
            case WireFormat.WIRETYPE_START_GROUP -> group(in, body, Plan.UNKNOWN, depth, number);
            case WireFormat.WIRETYPE_FIXED32 -> in.skipRawBytes(4);
            default -> throw new Problem("wire type " + wireType + " at byte " + at
                    + " (expected: 0 to 5)");
        }
    }

    private void message(CodedInputStream in, byte[] body, Plan plan, int depth) throws Problem, IOException {
        int length = in.readRawVarint32();
        deeper(in, depth);
        int outer = in.pushLimit(length);
        fields(in, body, plan, depth + 1, 0);
        in.popLimit(outer);
    }

    private void group(CodedInputStream in, byte[] body, Plan plan, int depth, int number) throws Problem {
        deeper(in, depth);
        fields(in, body, plan, depth + 1, number);
    }

    private static void deeper(CodedInputStream in, int depth) throws Problem {
        if (depth >= RECURSION_LIMIT) {
            throw new Problem("nested more than " + RECURSION_LIMIT + " messages deep at byte " + in.getTotalBytesRead()
                    + " (expected: at most " + RECURSION_LIMIT + ", the recursion limit of protobuf parsers)");
        }
    }

    private static void packed(CodedInputStream in, byte kind) throws Problem, IOException {
        int length = in.readRawVarint32();
        int start = in.getTotalBytesRead();
        int outer = in.pushLimit(length);
        switch (kind) {
            case VARINT -> {
                while (!in.isAtEnd()) {
                    in.readRawVarint64();
                }
            }
            case VARINT32 -> {
                while (!in.isAtEnd()) {
                    in.readRawVarint32();
                }
            }
            case FIXED32, FIXED64 -> {
                int size = kind == FIXED32 ? 4 : 8;
                if (length % size != 0) {
                    throw new Problem("packed values of " + length + " bytes at byte " + start
                            + " (expected: a multiple of " + size + ")");
                }
                in.skipRawBytes(length);
            }
            default -> throw new IllegalStateException("kind " + kind);
        }
        in.popLimit(outer);
    }

    private static void utf8(CodedInputStream in, byte[] body) throws Problem, IOException {
        int length = in.readRawVarint32();
        int start = in.getTotalBytesRead();
        // Skipping first checks the length against what is left, before the bytes are read.
        in.skipRawBytes(length);
        int bad = Utf8Check.firstInvalid(body, start, start + length);
        if (bad >= 0) {
            throw new Problem("invalid UTF-8 at byte " + bad + " (expected: UTF-8 text in a string field)");
        }
    }

    private Plan plan(Descriptor type) {
        Plan plan = plans.get(type);
        if (plan == null) {
            // Built without looking at nested types, so a recursive type cannot recurse here.
            plan = plans.computeIfAbsent(type, Plan::new);
        }
        return plan;
    }

    private static int expectedWireType(byte kind) {
        return switch (kind) {
            case VARINT, VARINT32 -> WireFormat.WIRETYPE_VARINT;
            case FIXED64 -> WireFormat.WIRETYPE_FIXED64;
            case FIXED32 -> WireFormat.WIRETYPE_FIXED32;
            case GROUP -> WireFormat.WIRETYPE_START_GROUP;
            default -> WireFormat.WIRETYPE_LENGTH_DELIMITED;
        };
    }

    private static String wireTypeName(int wireType) {
        return switch (wireType) {
            case WireFormat.WIRETYPE_VARINT -> "varint";
            case WireFormat.WIRETYPE_FIXED64 -> "64-bit";
            case WireFormat.WIRETYPE_LENGTH_DELIMITED -> "length-delimited";
            case WireFormat.WIRETYPE_START_GROUP -> "start-group";
            case WireFormat.WIRETYPE_END_GROUP -> "end-group";
            case WireFormat.WIRETYPE_FIXED32 -> "32-bit";
            default -> Integer.toString(wireType);
        };
    }

    private static String typeName(FieldDescriptor field) {
        return switch (field.getType()) {
            case MESSAGE -> field.isMapField() ? "map" : "message " + field.getMessageType().getFullName();
            case GROUP -> "group " + field.getMessageType().getFullName();
            case ENUM -> "enum " + field.getEnumType().getFullName();
            default -> field.getType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** What the walk needs of one message type, looked up once: each field's kind by its index. */
    private static final class Plan {

        /** The plan of unknown groups: no known fields. */
        static final Plan UNKNOWN = new Plan(com.google.protobuf.Empty.getDescriptor());

        final Descriptor type;
        final byte[] kinds;
        final boolean[] packable;
        // Filled in on first use; a racing second fill stores the same plan.
        final Plan[] children;

        Plan(Descriptor type) {
            this.type = type;
            int count = type.getFields().size();
            this.kinds = new byte[count];
            this.packable = new boolean[count];
            this.children = new Plan[count];
            for (FieldDescriptor field : type.getFields()) {
                kinds[field.getIndex()] = kind(field);
                packable[field.getIndex()] = field.isPackable();
            }
        }

        Plan child(ProtobufWireCheck check, int index) {
            Plan child = children[index];
            if (child == null) {
                child = check.plan(type.getFields().get(index).getMessageType());
                children[index] = child;
            }
            return child;
        }

        private static byte kind(FieldDescriptor field) {
            return switch (field.getType()) {
                case INT32, UINT32, SINT32, ENUM -> VARINT32;
                case INT64, UINT64, SINT64, BOOL -> VARINT;
                case FIXED64, SFIXED64, DOUBLE -> FIXED64;
                case FIXED32, SFIXED32, FLOAT -> FIXED32;
                // needsUtf8Check is the parser's own rule: proto3 and VERIFY strings, map entries.
                case STRING -> field.needsUtf8Check() ? STRING_UTF8 : BYTES;
                case BYTES -> BYTES;
                case MESSAGE -> MESSAGE;
                case GROUP -> GROUP;
            };
        }
    }

    /** A reason the body does not parse, with the path of fields it was found in. */
    private static final class Problem extends Exception {

        private static final long serialVersionUID = 1L;

        private String path;

        Problem(String message) {
            super(message, null, false, false);
        }

        static Problem of(IOException e, CodedInputStream in) {
            String message = e.getMessage() == null ? "malformed" : e.getMessage();
            int stop = message.indexOf('.');
            String reason = (stop > 0 ? message.substring(0, stop) : message);
            return new Problem(reason + " at byte " + in.getTotalBytesRead()
                    + " (expected: a complete, well-formed protobuf encoding)");
        }

        Problem within(String field) {
            path = path == null ? field : field + "." + path;
            return this;
        }
    }
}
