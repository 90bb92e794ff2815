package dev.torii.gateway.grpc;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.ResourcePatternResolver;

/**
 * Holds the protobuf descriptors of every service the gateway can route to, read from descriptor
 * sets at start-up, and the JSON type registry built from them.
 */
public final class DescriptorRegistry {

    private static final Logger log = LoggerFactory.getLogger(DescriptorRegistry.class);

    // Files every protobuf runtime ships: used when a descriptor set was built without
    // --include_imports, so well-known types and google.rpc details still resolve.
    private static final List<FileDescriptor> BUILT_IN = List.of(
            com.google.protobuf.AnyProto.getDescriptor(),
            com.google.protobuf.ApiProto.getDescriptor(),
            com.google.protobuf.DescriptorProtos.getDescriptor(),
            com.google.protobuf.DurationProto.getDescriptor(),
            com.google.protobuf.EmptyProto.getDescriptor(),
            com.google.protobuf.FieldMaskProto.getDescriptor(),
            com.google.protobuf.SourceContextProto.getDescriptor(),
            com.google.protobuf.StructProto.getDescriptor(),
            com.google.protobuf.TimestampProto.getDescriptor(),
            com.google.protobuf.TypeProto.getDescriptor(),
            com.google.protobuf.WrappersProto.getDescriptor(),
            com.google.rpc.StatusProto.getDescriptor(),
            com.google.rpc.ErrorDetailsProto.getDescriptor(),
            com.google.rpc.CodeProto.getDescriptor());

    private final Map<String, ServiceDescriptor> services;
    private final JsonFormat.TypeRegistry typeRegistry;
    private final List<String> sources;

    private DescriptorRegistry(Map<String, ServiceDescriptor> services, JsonFormat.TypeRegistry typeRegistry,
            List<String> sources) {
        this.services = services;
        this.typeRegistry = typeRegistry;
        this.sources = sources;
    }

    /**
     * Reads every descriptor set matching {@code locations} and links their files.
     *
     * @param resolver resolves resource patterns such as {@code classpath*:} and {@code file:}
     * @param locations resource locations or patterns
     * @return the registry
     * @throws IllegalStateException when a set cannot be read, a file's imports are missing, or no
     *     location matched anything
     */
    public static DescriptorRegistry load(ResourcePatternResolver resolver, List<String> locations) {
        Map<String, FileDescriptorProto> protos = new LinkedHashMap<>();
        Map<String, String> origin = new HashMap<>();
        List<String> sources = new ArrayList<>();
        for (String location : locations) {
            Resource[] resources;
            try {
                resources = resolver.getResources(location);
            } catch (IOException e) {
                throw new IllegalStateException("descriptor set " + location + ": " + e.getMessage(), e);
            }
            for (Resource resource : resources) {
                if (!resource.exists()) {
                    continue;
                }
                String name = resource.getDescription();
                FileDescriptorSet set;
                try (InputStream in = resource.getInputStream()) {
                    set = FileDescriptorSet.parseFrom(in);
                } catch (IOException e) {
                    throw new IllegalStateException("descriptor set " + name
                            + ": cannot be read as a FileDescriptorSet (" + e.getMessage() + ")", e);
                }
                sources.add(name);
                for (FileDescriptorProto file : set.getFileList()) {
                    FileDescriptorProto previous = protos.putIfAbsent(file.getName(), file);
                    if (previous == null) {
                        origin.put(file.getName(), name);
                    } else if (!previous.equals(file)) {
                        log.warn("{} appears in {} and {} with different contents; using the first",
                                file.getName(), origin.get(file.getName()), name);
                    }
                }
            }
        }
        if (sources.isEmpty()) {
            throw new IllegalStateException("torii.gateway.descriptor-sets: " + locations
                    + " matched no file (expected: at least one descriptor set)");
        }
        return link(protos, sources);
    }

    /**
     * Builds a registry from already linked files; used by tests and tools.
     *
     * @param files the files, with their dependencies reachable
     * @return the registry
     */
    public static DescriptorRegistry of(Collection<FileDescriptor> files) {
        Map<String, FileDescriptorProto> protos = new LinkedHashMap<>();
        for (FileDescriptor file : files) {
            collect(file, protos);
        }
        return link(protos, List.of("(in memory)"));
    }

    private static void collect(FileDescriptor file, Map<String, FileDescriptorProto> protos) {
        if (protos.putIfAbsent(file.getName(), file.toProto()) == null) {
            for (FileDescriptor dependency : file.getDependencies()) {
                collect(dependency, protos);
            }
        }
    }

    private static DescriptorRegistry link(Map<String, FileDescriptorProto> protos, List<String> sources) {
        Map<String, FileDescriptor> linked = new HashMap<>();
        for (FileDescriptor builtIn : BUILT_IN) {
            if (!protos.containsKey(builtIn.getName())) {
                linked.put(builtIn.getName(), builtIn);
            }
        }
        for (String name : protos.keySet()) {
            build(name, protos, linked, new ArrayList<>());
        }
        Map<String, ServiceDescriptor> services = new HashMap<>();
        JsonFormat.TypeRegistry.Builder types = JsonFormat.TypeRegistry.newBuilder();
        for (FileDescriptor file : linked.values()) {
            for (ServiceDescriptor service : file.getServices()) {
                services.put(service.getFullName(), service);
            }
            for (Descriptor message : file.getMessageTypes()) {
                types.add(message);
            }
        }
        return new DescriptorRegistry(Map.copyOf(services), types.build(), List.copyOf(sources));
    }

    private static FileDescriptor build(String name, Map<String, FileDescriptorProto> protos,
            Map<String, FileDescriptor> linked, List<String> path) {
        FileDescriptor done = linked.get(name);
        if (done != null) {
            return done;
        }
        FileDescriptorProto proto = protos.get(name);
        if (proto == null) {
            throw new IllegalStateException("descriptor sets: " + path.get(path.size() - 1) + " imports " + name
                    + ", which no descriptor set contains (expected: sets built with protoc --include_imports)");
        }
        if (path.contains(name)) {
            throw new IllegalStateException("descriptor sets: import cycle " + String.join(" -> ", path) + " -> " + name);
        }
        path.add(name);
        FileDescriptor[] dependencies = new FileDescriptor[proto.getDependencyCount()];
        for (int i = 0; i < dependencies.length; i++) {
            dependencies[i] = build(proto.getDependency(i), protos, linked, path);
        }
        path.remove(path.size() - 1);
        try {
            FileDescriptor file = FileDescriptor.buildFrom(proto, dependencies);
            linked.put(name, file);
            return file;
        } catch (DescriptorValidationException e) {
            throw new IllegalStateException("descriptor sets: " + name + " is invalid: " + e.getMessage(), e);
        }
    }

    /**
     * Finds a service by its fully-qualified name.
     *
     * @param fullName for example {@code examples.offer.v1.OfferService}
     * @return the service, or empty when no descriptor set declares it
     */
    public Optional<ServiceDescriptor> findService(String fullName) {
        return Optional.ofNullable(services.get(fullName));
    }

    /**
     * Returns the names of all known services, for error messages.
     *
     * @return sorted service names
     */
    public Set<String> serviceNames() {
        return new java.util.TreeSet<>(services.keySet());
    }

    /**
     * Returns the registry {@link JsonFormat} uses to print and parse {@code google.protobuf.Any}.
     *
     * @return every message type of every loaded file
     */
    public JsonFormat.TypeRegistry typeRegistry() {
        return typeRegistry;
    }

    /**
     * Describes where the descriptors came from, for logs and the status page.
     *
     * @return the descriptor-set resources read
     */
    public List<String> sources() {
        return sources;
    }
}
