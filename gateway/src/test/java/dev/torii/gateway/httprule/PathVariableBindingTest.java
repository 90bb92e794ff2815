package dev.torii.gateway.httprule;

import static dev.torii.gateway.httprule.Bindings.BINDER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.google.protobuf.BoolValue;
import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import com.google.protobuf.DoubleValue;
import com.google.protobuf.Duration;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Int64Value;
import com.google.protobuf.StringValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import dev.torii.gateway.test.v1.Genre;
import dev.torii.gateway.test.v1.Scalars;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Path variables set their field converted by its type, as grpc-gateway's parseField converts
 * them; a value that does not fit is a BindingException naming the field.
 */
class PathVariableBindingTest {

    static Stream<Arguments> conversions() {
        return Stream.of(
                arguments("text", "a b/ü", (Function<Scalars, Object>) Scalars::getText, "a b/ü"),
                arguments("int32_value", "-2147483648", (Function<Scalars, Object>) Scalars::getInt32Value, Integer.MIN_VALUE),
                arguments("int32_value", "+7", (Function<Scalars, Object>) Scalars::getInt32Value, 7),
                arguments("int64_value", "9223372036854775807", (Function<Scalars, Object>) Scalars::getInt64Value, Long.MAX_VALUE),
                arguments("int64_value", "-9223372036854775808", (Function<Scalars, Object>) Scalars::getInt64Value, Long.MIN_VALUE),
                arguments("uint32_value", "4294967295", (Function<Scalars, Object>) Scalars::getUint32Value, -1),
                arguments("uint64_value", "18446744073709551615", (Function<Scalars, Object>) Scalars::getUint64Value, -1L),
                arguments("sint32_value", "-5", (Function<Scalars, Object>) Scalars::getSint32Value, -5),
                arguments("sint64_value", "-5", (Function<Scalars, Object>) Scalars::getSint64Value, -5L),
                arguments("fixed32_value", "5", (Function<Scalars, Object>) Scalars::getFixed32Value, 5),
                arguments("fixed64_value", "5", (Function<Scalars, Object>) Scalars::getFixed64Value, 5L),
                arguments("sfixed32_value", "-5", (Function<Scalars, Object>) Scalars::getSfixed32Value, -5),
                arguments("sfixed64_value", "-5", (Function<Scalars, Object>) Scalars::getSfixed64Value, -5L),
                arguments("float_value", "1.5", (Function<Scalars, Object>) Scalars::getFloatValue, 1.5f),
                arguments("float_value", "-Infinity", (Function<Scalars, Object>) Scalars::getFloatValue, Float.NEGATIVE_INFINITY),
                arguments("double_value", "2.5e-3", (Function<Scalars, Object>) Scalars::getDoubleValue, 0.0025),
                arguments("double_value", ".5", (Function<Scalars, Object>) Scalars::getDoubleValue, 0.5),
                arguments("double_value", "NaN", (Function<Scalars, Object>) Scalars::getDoubleValue, Double.NaN),
                arguments("double_value", "Infinity", (Function<Scalars, Object>) Scalars::getDoubleValue, Double.POSITIVE_INFINITY),
                arguments("double_value", "-Inf", (Function<Scalars, Object>) Scalars::getDoubleValue, Double.NEGATIVE_INFINITY),
                arguments("bool_value", "true", (Function<Scalars, Object>) Scalars::getBoolValue, true),
                arguments("bool_value", "false", (Function<Scalars, Object>) Scalars::getBoolValue, false),
                arguments("bool_value", "1", (Function<Scalars, Object>) Scalars::getBoolValue, true),
                arguments("bool_value", "F", (Function<Scalars, Object>) Scalars::getBoolValue, false),
                arguments("bytes_value", "+/8=", (Function<Scalars, Object>) Scalars::getBytesValue, bytes(0xfb, 0xff)),
                arguments("bytes_value", "+/8", (Function<Scalars, Object>) Scalars::getBytesValue, bytes(0xfb, 0xff)),
                arguments("bytes_value", "-_8=", (Function<Scalars, Object>) Scalars::getBytesValue, bytes(0xfb, 0xff)),
                arguments("bytes_value", "-_8", (Function<Scalars, Object>) Scalars::getBytesValue, bytes(0xfb, 0xff)),
                arguments("bytes_value", "", (Function<Scalars, Object>) Scalars::getBytesValue, ByteString.EMPTY),
                arguments("genre", "GENRE_POETRY", (Function<Scalars, Object>) Scalars::getGenre, Genre.GENRE_POETRY),
                arguments("genre", "1", (Function<Scalars, Object>) Scalars::getGenre, Genre.GENRE_FICTION),
                arguments("time", "2024-05-01T12:00:00.5Z", (Function<Scalars, Object>) Scalars::getTime,
                        Timestamp.newBuilder().setSeconds(1714564800).setNanos(500_000_000).build()),
                arguments("time", "2024-05-01T14:00:00+02:00", (Function<Scalars, Object>) Scalars::getTime,
                        Timestamp.newBuilder().setSeconds(1714564800).build()),
                arguments("duration", "1.5s", (Function<Scalars, Object>) Scalars::getDuration,
                        Duration.newBuilder().setSeconds(1).setNanos(500_000_000).build()),
                arguments("duration", "-3s", (Function<Scalars, Object>) Scalars::getDuration,
                        Duration.newBuilder().setSeconds(-3).build()),
                arguments("mask", "a,b.c", (Function<Scalars, Object>) Scalars::getMask,
                        FieldMask.newBuilder().addPaths("a").addPaths("b.c").build()),
                arguments("mask", "publishTime,title", (Function<Scalars, Object>) Scalars::getMask,
                        FieldMask.newBuilder().addPaths("publish_time").addPaths("title").build()),
                arguments("wrapped_int64", "-12", (Function<Scalars, Object>) Scalars::getWrappedInt64, Int64Value.of(-12)),
                arguments("wrapped_bool", "true", (Function<Scalars, Object>) Scalars::getWrappedBool, BoolValue.of(true)),
                arguments("wrapped_bool", "false", (Function<Scalars, Object>) Scalars::hasWrappedBool, true),
                arguments("wrapped_string", "", (Function<Scalars, Object>) Scalars::hasWrappedString, true),
                arguments("wrapped_string", "x y", (Function<Scalars, Object>) Scalars::getWrappedString, StringValue.of("x y")),
                arguments("wrapped_double", "NaN", (Function<Scalars, Object>) Scalars::getWrappedDouble, DoubleValue.of(Double.NaN)),
                arguments("wrapped_bytes", "AAE", (Function<Scalars, Object>) Scalars::getWrappedBytes, BytesValue.of(bytes(0, 1))),
                arguments("attributes", "{\"a\":1}", (Function<Scalars, Object>) Scalars::getAttributes,
                        Struct.newBuilder().putFields("a", Value.newBuilder().setNumberValue(1).build()).build()),
                arguments("maybe", "0", (Function<Scalars, Object>) Scalars::hasMaybe, true),
                arguments("choice_number", "3", (Function<Scalars, Object>) Scalars::getChoiceNumber, 3L),
                arguments("child.child.text", "deep", (Function<Scalars, Object>) s -> s.getChild().getChild().getText(), "deep"),
                arguments("child.int64Value", "5", (Function<Scalars, Object>) s -> s.getChild().getInt64Value(), 5L),
                arguments("customName", "json name", (Function<Scalars, Object>) Scalars::getCustomJson, "json name"),
                arguments("custom_json", "proto name", (Function<Scalars, Object>) Scalars::getCustomJson, "proto name"));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("conversions")
    void setsTheFieldConvertedByItsType(String path, String text, Function<Scalars, Object> getter, Object expected)
            throws Exception {
        Scalars request = Scalars.parseFrom(BINDER.bind(Bindings.testMethod("Search"), "", Map.of(path, text), null,
                null, null));

        assertThat(getter.apply(request)).isEqualTo(expected);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                arguments("int32_value", "2147483648", "int32_value", "int32"),
                arguments("int32_value", "1.0", "int32_value", "int32"),
                arguments("int32_value", "", "int32_value", "int32"),
                arguments("int32_value", "١٢", "int32_value", "int32"),
                arguments("int64_value", "9223372036854775808", "int64_value", "int64"),
                arguments("int64_value", "0x10", "int64_value", "int64"),
                arguments("int64_value", "1e3", "int64_value", "int64"),
                arguments("uint32_value", "-1", "uint32_value", "uint32"),
                arguments("uint32_value", "4294967296", "uint32_value", "uint32"),
                arguments("uint64_value", "18446744073709551616", "uint64_value", "uint64"),
                arguments("float_value", "1e39", "float_value", "float"),
                arguments("double_value", "1d", "double_value", "double"),
                arguments("double_value", "0x1p3", "double_value", "double"),
                arguments("double_value", "one", "double_value", "double"),
                arguments("bool_value", "yes", "bool_value", "true or false"),
                arguments("bytes_value", "a*b", "bytes_value", "base64"),
                arguments("genre", "POETRY", "genre", "GENRE_POETRY"),
                arguments("genre", "7", "genre", "GENRE_FICTION"),
                arguments("time", "abc", "time", "RFC 3339"),
                arguments("time", "2024-05-01 12:00:00", "time", "RFC 3339"),
                arguments("duration", "1h", "duration", "1.5s"),
                arguments("wrapped_int64", "x", "wrapped_int64", "int64"),
                arguments("attributes", "{", "attributes", "Struct"),
                arguments("child", "x", "child", "one parameter per field"),
                arguments("tags", "a", "tags", "repeated or map"),
                arguments("labels", "a", "labels", "repeated or map"),
                arguments("books.id", "a", "books.id", "not a singular message"),
                arguments("text.length", "a", "text.length", "not a singular message"),
                arguments("nope", "a", "nope", "names no field"),
                arguments("child..text", "a", "child..text", "names no field"),
                arguments("", "a", "", "names no field"));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("refusals")
    void refusesAValueThatDoesNotFitNamingTheField(String path, String text, String fieldPath, String hint) {
        assertThatThrownBy(() -> BINDER.bind(Bindings.testMethod("Search"), "", Map.of(path, text), null, null, null))
                .isInstanceOfSatisfying(BindingException.class, e -> {
                    assertThat(e.fieldPath()).isEqualTo(fieldPath);
                    assertThat(e.getMessage()).contains(hint);
                });
    }

    private static ByteString bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return ByteString.copyFrom(bytes);
    }
}
