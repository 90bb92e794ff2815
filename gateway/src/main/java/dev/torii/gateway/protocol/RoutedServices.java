package dev.torii.gateway.protocol;

import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.route.ServiceRoutes;
import io.grpc.HandlerRegistry;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoFileDescriptorSupplier;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The services the routes in force expose, as the in-process reflection server's mutable
 * services: grpc-java's reflection service lists a server's services and indexes their files
 * from {@code Server.getMutableServices()}, which is this registry's {@link #getServices()}.
 * Each one is a placeholder whose schema is the service's descriptor from the descriptor sets;
 * none has a method, since no call other than reflection reaches the in-process server.
 *
 * <p>Read from the table in force each time and rebuilt only when a reload swapped it, so the
 * reflection answers follow the routes without any hook in the reload.
 */
final class RoutedServices extends HandlerRegistry {

    private final RouteRegistry routes;
    private final Set<String> servedBySelf;
    private volatile Snapshot snapshot;

    /**
     * Creates the registry.
     *
     * @param routes the table in force
     * @param servedBySelf services the in-process server registers itself (the reflection
     *     services), left out here: grpc-java's reflection refuses a service listed twice
     */
    RoutedServices(RouteRegistry routes, Set<String> servedBySelf) {
        this.routes = routes;
        this.servedBySelf = servedBySelf;
    }

    @Override
    public List<ServerServiceDefinition> getServices() {
        RouteTable table = routes.current();
        Snapshot current = snapshot;
        if (current == null || current.table() != table) {
            current = new Snapshot(table, placeholders(table));
            snapshot = current;
        }
        return current.services();
    }

    @Override
    public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
        // Placeholders only: a call to a routed method goes to its upstream, never here.
        return null;
    }

    private List<ServerServiceDefinition> placeholders(RouteTable table) {
        Map<String, ServiceDescriptor> services = new LinkedHashMap<>();
        for (ServiceRoutes file : table.services()) {
            for (MethodRoute method : file.methods()) {
                ServiceDescriptor service = method.protoMethod().getService();
                if (!servedBySelf.contains(service.getFullName())) {
                    services.putIfAbsent(service.getFullName(), service);
                }
            }
        }
        return services.values().stream()
                .map(service -> ServerServiceDefinition.builder(io.grpc.ServiceDescriptor.newBuilder(service.getFullName())
                        .setSchemaDescriptor(new Schema(service)).build()).build())
                .toList();
    }

    private record Snapshot(RouteTable table, List<ServerServiceDefinition> services) {}

    // What grpc-java's reflection reads from a service: its file (and through it the
    // dependencies) and its descriptor.
    private record Schema(ServiceDescriptor service) implements ProtoFileDescriptorSupplier,
            ProtoServiceDescriptorSupplier {

        @Override
        public FileDescriptor getFileDescriptor() {
            return service.getFile();
        }

        @Override
        public ServiceDescriptor getServiceDescriptor() {
            return service;
        }
    }
}
