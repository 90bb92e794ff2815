package dev.torii.gateway.httprule;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.torii.examples.offer.v1.OfferProto;
import dev.torii.gateway.grpc.DescriptorRegistry;
import dev.torii.gateway.test.v1.Scalars;
import java.util.List;

/** The descriptors and the binder the httprule tests share: the example OfferService and the binding-test service. */
final class Bindings {

    static final DescriptorRegistry DESCRIPTORS = DescriptorRegistry.of(List.of(OfferProto.getDescriptor(),
            Scalars.getDescriptor().getFile()));
    static final RequestBinder BINDER = new RequestBinder(DESCRIPTORS);
    static final ResponseWriter WRITER = new ResponseWriter(DESCRIPTORS);

    private static final ServiceDescriptor OFFERS = OfferProto.getDescriptor().findServiceByName("OfferService");
    private static final ServiceDescriptor TESTS = Scalars.getDescriptor().getFile()
            .findServiceByName("BindingTestService");

    private Bindings() {}

    static MethodDescriptor offerMethod(String name) {
        return OFFERS.findMethodByName(name);
    }

    static MethodDescriptor testMethod(String name) {
        return TESTS.findMethodByName(name);
    }
}
