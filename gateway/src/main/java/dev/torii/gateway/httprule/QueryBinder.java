package dev.torii.gateway.httprule;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sets the request fields that neither the path nor the body binds from the query parameters,
 * following grpc-gateway's {@code DefaultQueryParser} (runtime/query.go) and google.api.http's
 * rule that such fields "become HTTP query parameters":
 *
 * <ul>
 *   <li>{@code a.b=1} sets a nested field; each segment is the proto name or the JSON name.
 *   <li>A repeated field takes every occurrence of its name, in order ({@code tag=a&tag=b}); a comma
 *       is part of the value, as in grpc-gateway (only a FieldMask's JSON form is comma-separated).
 *   <li>A map field takes {@code labels[key]=value}, one value per key.
 *   <li>A parameter whose only value is empty is ignored, as grpc-gateway drops it.
 *   <li>A parameter naming no field is ignored: "this could just be an extra query parameter that
 *       isn't part of the request" (grpc-gateway), such as a cache buster.
 *   <li>A parameter naming a field the path or the body binds, or a field inside one, is ignored, as
 *       grpc-gateway's filter does; fields are compared, not spellings, so {@code bookId} cannot
 *       overwrite a path's {@code book_id}.
 *   <li>Refused with a {@link BindingException}: a singular field given twice, a second member of a
 *       oneof, a value that does not fit its field, a message field other than the well-known types
 *       with a JSON string form, and a path through a field that is not a singular message.
 * </ul>
 */
final class QueryBinder {

    // grpc-gateway's valuesKeyRegexp: "labels[key]" is the map field "labels" and the key "key".
    private static final Pattern MAP_KEY = Pattern.compile("^(.*)\\[(.*)\\]$", Pattern.DOTALL);

    private final FieldText text;

    QueryBinder(FieldText text) {
        this.text = text;
    }

    /**
     * Sets fields from a raw query.
     *
     * @param request the request builder, with the body and path already in it
     * @param rawQuery the query without {@code ?}, possibly null
     * @param bound the paths the path template and the body bind
     * @throws BindingException when a parameter cannot be set, or the query is beyond the limits
     */
    void bind(DynamicMessage.Builder request, String rawQuery, List<FieldPath> bound) {
        Descriptor type = request.getDescriptorForType();
        for (Map.Entry<String, List<String>> parameter : QueryParameters.parse(rawQuery).entrySet()) {
            String name = parameter.getKey();
            List<String> values = parameter.getValue();
            if (values.size() == 1 && values.get(0).isEmpty()) {
                continue;
            }
            String mapKey = null;
            Matcher map = MAP_KEY.matcher(name);
            if (map.matches()) {
                name = map.group(1);
                mapKey = map.group(2);
            }
            FieldPath path = FieldPath.resolve(type, name);
            if (path == null || bound.stream().anyMatch(path::startsWith)) {
                continue;
            }
            set(request, path, mapKey, values, parameter.getKey());
        }
    }

    private void set(Message.Builder request, FieldPath path, String mapKey, List<String> values, String parameter) {
        FieldDescriptor field = path.last();
        Message.Builder container = path.containerIn(request);
        String where = path.protoNames();
        OneofDescriptor oneof = field.getRealContainingOneof();
        if (oneof != null && container.getOneofFieldDescriptor(oneof) != null) {
            throw new BindingException(where, parameter + ": oneof " + oneof.getName() + " already has "
                    + container.getOneofFieldDescriptor(oneof).getName() + " set (expected: one field of the oneof)");
        }
        if (field.isMapField()) {
            if (mapKey == null || values.size() != 1) {
                throw new BindingException(where, parameter + ": " + where + " is a map (expected: one "
                        + where + "[key]=value parameter per key)");
            }
            Descriptor entry = field.getMessageType();
            FieldDescriptor keyField = entry.findFieldByName("key");
            FieldDescriptor valueField = entry.findFieldByName("value");
            container.addRepeatedField(field, DynamicMessage.newBuilder(entry)
                    .setField(keyField, text.parse(keyField, mapKey, where + "[" + FieldText.shortened(mapKey) + "]"))
                    .setField(valueField, text.parse(valueField, values.get(0), where))
                    .build());
        } else if (mapKey != null) {
            throw new BindingException(where, parameter + ": " + where + " is not a map (expected: "
                    + where + "=value)");
        } else if (field.isRepeated()) {
            List<Object> elements = new ArrayList<>(values.size());
            for (String value : values) {
                elements.add(text.parse(field, value, where));
            }
            for (Object element : elements) {
                container.addRepeatedField(field, element);
            }
        } else if (values.size() > 1) {
            throw new BindingException(where, parameter + ": " + values.size() + " values for the singular field "
                    + where + " (expected: one)");
        } else {
            container.setField(field, text.parse(field, values.get(0), where));
        }
    }
}
