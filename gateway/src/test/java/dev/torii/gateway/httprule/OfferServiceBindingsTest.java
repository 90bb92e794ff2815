package dev.torii.gateway.httprule;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.AnnotationsProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.torii.examples.offer.v1.OfferProto;
import dev.torii.gateway.grpc.DescriptorRegistry;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The REST bindings of the example {@code examples.offer.v1.OfferService}, read both from the
 * generated code's descriptor (the extension known) and from torii-proto's descriptor set through
 * {@link DescriptorRegistry} (the extension an unknown field), and matched as the gateway will.
 */
class OfferServiceBindingsTest {

    private static final ServiceDescriptor FROM_DESCRIPTOR_SET = DescriptorRegistry
            .load(new PathMatchingResourcePatternResolver(),
                    List.of("classpath*:META-INF/torii/descriptors/torii-proto.binpb"))
            .findService("examples.offer.v1.OfferService").orElseThrow();
    private static final ServiceDescriptor GENERATED = OfferProto.getDescriptor()
            .findServiceByName("OfferService");

    @ParameterizedTest(name = "from the {0}")
    @ValueSource(strings = {"descriptor set", "generated code"})
    void everyMethodHasItsDeclaredBinding(String source) {
        ServiceDescriptor service = source.equals("generated code") ? GENERATED : FROM_DESCRIPTOR_SET;

        assertThat(bindings(service)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "CreateOffer", List.of(new HttpBinding("POST", PathTemplate.parse("/v1/offers"), "*", "")),
                "GetOffer", List.of(new HttpBinding("GET", PathTemplate.parse("/v1/offers/{id}"), "", "")),
                "WhoAmI", List.of(new HttpBinding("GET", PathTemplate.parse("/v1/me"), "", "")),
                "WatchOffers", List.of(new HttpBinding("GET",
                        PathTemplate.parse("/v1/sellers/{seller_id}/offers:watch"), "", ""))));
    }

    @Test
    void readsTheOptionWhenItArrivesAsAnUnknownField() throws Exception {
        // Parsed without an extension registry, as DescriptorRegistry parses descriptor sets.
        FileDescriptorProto proto = FileDescriptorProto.parseFrom(OfferProto.getDescriptor().toProto().toByteString());
        MethodOptions options = proto.getService(0).getMethod(1).getOptions();
        assertThat(options.hasExtension(AnnotationsProto.http)).isFalse();
        assertThat(options.getUnknownFields().hasField(AnnotationsProto.HTTP_FIELD_NUMBER)).isTrue();
        FileDescriptor file = FileDescriptor.buildFrom(proto,
                OfferProto.getDescriptor().getDependencies().toArray(new FileDescriptor[0]));

        assertThat(HttpBindings.of(file.findServiceByName("OfferService").findMethodByName("GetOffer")))
                .containsExactly(new HttpBinding("GET", PathTemplate.parse("/v1/offers/{id}"), "", ""));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            POST   | /v1/offers                          | CreateOffer
            GET    | /v1/offers/7f3c                     | GetOffer id=7f3c
            GET    | /v1/me                              | WhoAmI
            GET    | /v1/sellers/alice/offers:watch      | WatchOffers seller_id=alice
            GET    | /v1/sellers/al%20ice/offers:watch   | WatchOffers seller_id=al ice
            GET    | /v1/offers                          | 405 POST
            DELETE | /v1/offers/7f3c                     | 405 GET
            POST   | /v1/me                              | 405 GET
            GET    | /v1/sellers/alice/offers            | 404
            GET    | /v1/offers/7f3c/                    | 404
            GET    | /v1/offers/%zz                      | 400
            """)
    void theGatewayRoutesRestRequestsToTheMethods(String method, String path, String expected) {
        PathMatcher.Builder<String> builder = PathMatcher.builder();
        for (MethodDescriptor rpc : FROM_DESCRIPTOR_SET.getMethods()) {
            for (HttpBinding binding : HttpBindings.of(rpc)) {
                builder.add(binding, rpc.getName());
            }
        }

        assertThat(PathMatcherTest.describe(builder.build().match(method, path))).isEqualTo(expected);
    }

    private static Map<String, List<HttpBinding>> bindings(ServiceDescriptor service) {
        return service.getMethods().stream()
                .collect(Collectors.toMap(MethodDescriptor::getName, HttpBindings::of));
    }
}
