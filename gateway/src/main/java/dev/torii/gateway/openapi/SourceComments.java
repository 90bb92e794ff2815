package dev.torii.gateway.openapi;

import com.google.protobuf.DescriptorProtos.SourceCodeInfo;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the comments written in {@code .proto} files above messages, fields, enums and methods,
 * from the source info a descriptor set carries when protoc wrote it with
 * {@code --include_source_info}; without it every comment is empty.
 */
final class SourceComments {

    // Field numbers of descriptor.proto that make up a SourceCodeInfo location's path.
    private static final int FILE_MESSAGE = 4;
    private static final int FILE_ENUM = 5;
    private static final int FILE_SERVICE = 6;
    private static final int MESSAGE_FIELD = 2;
    private static final int MESSAGE_NESTED = 3;
    private static final int MESSAGE_ENUM = 4;
    private static final int SERVICE_METHOD = 2;
    private static final int ENUM_VALUE = 2;

    private final Map<FileDescriptor, Map<List<Integer>, String>> byFile = new HashMap<>();

    /**
     * Returns the comment above a message.
     *
     * @param message the message
     * @return the comment, trimmed; empty when there is none
     */
    String of(Descriptor message) {
        return comment(message.getFile(), path(message));
    }

    /**
     * Returns the comment above a field.
     *
     * @param field the field
     * @return the comment, trimmed; empty when there is none
     */
    String of(FieldDescriptor field) {
        if (field.isExtension()) {
            return "";
        }
        List<Integer> path = path(field.getContainingType());
        path.add(MESSAGE_FIELD);
        path.add(field.getIndex());
        return comment(field.getFile(), path);
    }

    /**
     * Returns the comment above an enum.
     *
     * @param type the enum
     * @return the comment, trimmed; empty when there is none
     */
    String of(EnumDescriptor type) {
        return comment(type.getFile(), enumPath(type));
    }

    /**
     * Returns the comment above an enum value.
     *
     * @param value the value
     * @return the comment, trimmed; empty when there is none
     */
    String of(EnumValueDescriptor value) {
        List<Integer> path = enumPath(value.getType());
        path.add(ENUM_VALUE);
        path.add(value.getIndex());
        return comment(value.getFile(), path);
    }

    /**
     * Returns the comment above a method.
     *
     * @param method the method
     * @return the comment, trimmed; empty when there is none
     */
    String of(MethodDescriptor method) {
        return comment(method.getFile(),
                List.of(FILE_SERVICE, method.getService().getIndex(), SERVICE_METHOD, method.getIndex()));
    }

    /**
     * Returns the comment above a service.
     *
     * @param service the service
     * @return the comment, trimmed; empty when there is none
     */
    String of(ServiceDescriptor service) {
        return comment(service.getFile(), List.of(FILE_SERVICE, service.getIndex()));
    }

    private static List<Integer> enumPath(EnumDescriptor type) {
        if (type.getContainingType() == null) {
            return new ArrayList<>(List.of(FILE_ENUM, type.getIndex()));
        }
        List<Integer> path = path(type.getContainingType());
        path.add(MESSAGE_ENUM);
        path.add(type.getIndex());
        return path;
    }

    private static List<Integer> path(Descriptor message) {
        if (message.getContainingType() == null) {
            return new ArrayList<>(List.of(FILE_MESSAGE, message.getIndex()));
        }
        List<Integer> path = path(message.getContainingType());
        path.add(MESSAGE_NESTED);
        path.add(message.getIndex());
        return path;
    }

    private String comment(FileDescriptor file, List<Integer> path) {
        return byFile.computeIfAbsent(file, SourceComments::index).getOrDefault(path, "");
    }

    private static Map<List<Integer>, String> index(FileDescriptor file) {
        Map<List<Integer>, String> comments = new HashMap<>();
        for (SourceCodeInfo.Location location : file.toProto().getSourceCodeInfo().getLocationList()) {
            String text = location.hasLeadingComments() ? location.getLeadingComments()
                    : location.getTrailingComments();
            if (!text.isBlank()) {
                comments.putIfAbsent(List.copyOf(location.getPathList()), tidy(text));
            }
        }
        return comments;
    }

    // protoc keeps each line's leading space after "//"; a description reads better without it.
    private static String tidy(String comment) {
        return comment.lines().map(String::strip).reduce((a, b) -> a + "\n" + b).orElse("").strip();
    }
}
