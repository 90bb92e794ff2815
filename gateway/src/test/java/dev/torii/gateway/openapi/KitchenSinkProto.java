package dev.torii.gateway.openapi;

import com.google.protobuf.AnyProto;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DurationProto;
import com.google.protobuf.EmptyProto;
import com.google.protobuf.FieldMaskProto;
import com.google.protobuf.StructProto;
import com.google.protobuf.TimestampProto;
import com.google.protobuf.WrappersProto;
import java.util.List;

/**
 * Builds, field by field, a descriptor of a message with every kind of field the proto3 JSON
 * mapping treats differently (scalars, 64-bit integers, bytes, enums, maps, oneofs, recursion,
 * every well-known type) and source info with comments, as {@code protoc --include_source_info}
 * writes it, for the schema tests.
 */
final class KitchenSinkProto {

    /** The proto package. */
    static final String PACKAGE = "torii.openapi.test.v1";

    private KitchenSinkProto() {}

    /**
     * Builds the file: {@code service Kitchen { rpc Sink(Sink) returns (Sink); rpc Drain(Sink)
     * returns (stream Sink); }}.
     *
     * @return the linked file descriptor
     */
    static FileDescriptor file() {
        DescriptorProto sink = DescriptorProto.newBuilder().setName("Sink")
                .addField(field("count", 1, Type.TYPE_INT32))
                .addField(field("big_number", 2, Type.TYPE_INT64))
                .addField(field("unsigned", 3, Type.TYPE_UINT32))
                .addField(field("ratio", 4, Type.TYPE_DOUBLE))
                .addField(field("on", 5, Type.TYPE_BOOL))
                .addField(field("blob", 6, Type.TYPE_BYTES))
                .addField(field("color", 7, Type.TYPE_ENUM).setTypeName(".torii.openapi.test.v1.Color"))
                .addField(field("tags", 8, Type.TYPE_STRING).setLabel(Label.LABEL_REPEATED))
                .addField(field("colors", 9, Type.TYPE_ENUM).setLabel(Label.LABEL_REPEATED)
                        .setTypeName(".torii.openapi.test.v1.Color"))
                .addField(field("children_by_name", 10, Type.TYPE_MESSAGE).setLabel(Label.LABEL_REPEATED)
                        .setTypeName(".torii.openapi.test.v1.Sink.ChildrenByNameEntry"))
                .addField(field("names_by_number", 11, Type.TYPE_MESSAGE).setLabel(Label.LABEL_REPEATED)
                        .setTypeName(".torii.openapi.test.v1.Sink.NamesByNumberEntry"))
                .addField(field("child", 12, Type.TYPE_MESSAGE).setTypeName(".torii.openapi.test.v1.Sink"))
                .addField(field("by_email", 13, Type.TYPE_STRING).setOneofIndex(0))
                .addField(field("by_id", 14, Type.TYPE_INT64).setOneofIndex(0))
                .addField(wellKnown("at", 15, "Timestamp"))
                .addField(wellKnown("wait", 16, "Duration"))
                .addField(wellKnown("mask", 17, "FieldMask"))
                .addField(wellKnown("attributes", 18, "Struct"))
                .addField(wellKnown("anything", 19, "Value"))
                .addField(wellKnown("list", 20, "ListValue"))
                .addField(wellKnown("maybe_big", 21, "Int64Value"))
                .addField(wellKnown("maybe_text", 22, "StringValue"))
                .addField(wellKnown("nothing", 23, "Empty"))
                .addField(wellKnown("extra", 24, "Any"))
                .addField(field("inner", 25, Type.TYPE_MESSAGE).setTypeName(".torii.openapi.test.v1.Sink.Inner"))
                .addOneofDecl(OneofDescriptorProto.newBuilder().setName("lookup"))
                .addNestedType(mapEntry("ChildrenByNameEntry", field("key", 1, Type.TYPE_STRING),
                        field("value", 2, Type.TYPE_MESSAGE).setTypeName(".torii.openapi.test.v1.Sink")))
                .addNestedType(mapEntry("NamesByNumberEntry", field("key", 1, Type.TYPE_INT32),
                        field("value", 2, Type.TYPE_STRING)))
                .addNestedType(DescriptorProto.newBuilder().setName("Inner")
                        .addField(field("depth", 1, Type.TYPE_UINT64))
                        .addField(field("outer", 2, Type.TYPE_MESSAGE).setTypeName(".torii.openapi.test.v1.Sink")))
                .build();
        EnumDescriptorProto color = EnumDescriptorProto.newBuilder().setName("Color")
                .addValue(EnumValueDescriptorProto.newBuilder().setName("COLOR_UNSPECIFIED").setNumber(0))
                .addValue(EnumValueDescriptorProto.newBuilder().setName("COLOR_RED").setNumber(1))
                .build();
        ServiceDescriptorProto kitchen = ServiceDescriptorProto.newBuilder().setName("Kitchen")
                .addMethod(MethodDescriptorProto.newBuilder().setName("Sink")
                        .setInputType(".torii.openapi.test.v1.Sink").setOutputType(".torii.openapi.test.v1.Sink"))
                .addMethod(MethodDescriptorProto.newBuilder().setName("Drain").setServerStreaming(true)
                        .setInputType(".torii.openapi.test.v1.Sink").setOutputType(".torii.openapi.test.v1.Sink"))
                .build();
        SourceCodeInfo comments = SourceCodeInfo.newBuilder()
                .addLocation(comment(" A sink of everything.\n", 4, 0))
                .addLocation(comment(" How many.\n Never negative.\n", 4, 0, 2, 0))
                .addLocation(comment(" A color.\n", 5, 0))
                .addLocation(comment(" Red as a torii.\n", 5, 0, 2, 1))
                .addLocation(comment(" Cooks.\n", 6, 0))
                .addLocation(comment(" Fills the sink.\n", 6, 0, 2, 0))
                .build();
        FileDescriptorProto file = FileDescriptorProto.newBuilder().setName("torii/openapi/test/v1/kitchen.proto")
                .setPackage(PACKAGE).setSyntax("proto3")
                .addAllDependency(List.of("google/protobuf/timestamp.proto", "google/protobuf/duration.proto",
                        "google/protobuf/field_mask.proto", "google/protobuf/struct.proto",
                        "google/protobuf/wrappers.proto", "google/protobuf/empty.proto", "google/protobuf/any.proto"))
                .addMessageType(sink).addEnumType(color).addService(kitchen).setSourceCodeInfo(comments).build();
        try {
            return FileDescriptor.buildFrom(file, new FileDescriptor[] {TimestampProto.getDescriptor(),
                    DurationProto.getDescriptor(), FieldMaskProto.getDescriptor(), StructProto.getDescriptor(),
                    WrappersProto.getDescriptor(), EmptyProto.getDescriptor(), AnyProto.getDescriptor()});
        } catch (DescriptorValidationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static FieldDescriptorProto.Builder field(String name, int number, Type type) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
                .setLabel(Label.LABEL_OPTIONAL);
    }

    private static FieldDescriptorProto.Builder wellKnown(String name, int number, String type) {
        return field(name, number, Type.TYPE_MESSAGE).setTypeName(".google.protobuf." + type);
    }

    private static DescriptorProto mapEntry(String name, FieldDescriptorProto.Builder key,
            FieldDescriptorProto.Builder value) {
        return DescriptorProto.newBuilder().setName(name).addField(key).addField(value)
                .setOptions(MessageOptions.newBuilder().setMapEntry(true)).build();
    }

    private static SourceCodeInfo.Location comment(String text, Integer... path) {
        return SourceCodeInfo.Location.newBuilder().addAllPath(List.of(path)).setLeadingComments(text).build();
    }
}
