package dev.torii.examples.offer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torii.authority.config.GrpcServerLifecycle;
import dev.torii.authority.sdk.PrivateTokenVerifier;
import dev.torii.authority.sdk.grpc.PrivateTokenServerInterceptor;
import dev.torii.authority.v1.AuthorityGrpc;
import dev.torii.authority.v1.ExchangeTokenRequest;
import dev.torii.authorizer.dummy.AuthorizerDummyApplication;
import dev.torii.examples.offer.v1.OfferServiceGrpc;
import dev.torii.examples.offer.v1.WhoAmIRequest;
import dev.torii.examples.offer.v1.WhoAmIResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Runs the offer service behind authority/sdk against a real Authority (authorizer-dummy): a
 * token minted for the service is accepted and its principal reaches WhoAmI; a token minted for
 * another service, or none, is refused.
 */
class OfferServiceAuthIT {

    private static ConfigurableApplicationContext authority;
    private static ManagedChannel authorityChannel;
    private static OfferServer offers;
    private static ManagedChannel offersChannel;

    @BeforeAll
    static void start() throws Exception {
        authority = new SpringApplicationBuilder(AuthorizerDummyApplication.class).run("--spring.profiles.active=test",
                "--server.port=0", "--torii.authority.grpc.port=0", "--torii.authority.issuer=http://authority.test");
        int httpPort = authority.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
        authorityChannel = ManagedChannelBuilder.forAddress("localhost", authority.getBean(GrpcServerLifecycle.class).port())
                .usePlaintext().build();
        PrivateTokenVerifier verifier = PrivateTokenVerifier.builder()
                .jwksUri(URI.create("http://localhost:" + httpPort + "/.well-known/jwks.json"))
                .issuer("http://authority.test")
                .audience("examples.offer.v1.OfferService")
                .build();
        offers = OfferServer.start(0, List.of(new PrivateTokenServerInterceptor(verifier)));
        offersChannel = ManagedChannelBuilder.forAddress("localhost", offers.port()).usePlaintext().build();
    }

    @AfterAll
    static void stop() {
        offersChannel.shutdownNow();
        offers.close();
        authorityChannel.shutdownNow();
        authority.close();
    }

    @Test
    void aTokenMintedForTheServiceShowsItsPrincipal() {
        WhoAmIResponse me = whoAmI(token("dummy:alice:offers.read", "examples.offer.v1.OfferService"));

        assertThat(me.getPrincipal().getType()).isEqualTo("user");
        assertThat(me.getPrincipal().getId()).isEqualTo("alice");
        assertThat(me.getPrincipal().getScopesList()).containsExactly("offers.read");
        assertThat(me.getMetadataMap().get("authorization")).isEqualTo("Bearer (redacted)");
    }

    @Test
    void aServiceAccountShowsItsRoles() {
        WhoAmIResponse me = whoAmI(token("dummy-sa:batch@torii-dev.iam.gserviceaccount.com:support.reader",
                "examples.offer.v1.OfferService"));

        assertThat(me.getPrincipal().getType()).isEqualTo("service_account");
        assertThat(me.getPrincipal().getScopesList()).containsExactly("support.reader");
    }

    @Test
    void aTokenMintedForAnotherServiceIsRefused() {
        String foreign = token("dummy:alice", "examples.cart.v1.CartService");

        assertThatThrownBy(() -> whoAmI(foreign)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }

    @Test
    void aCallWithoutATokenIsRefused() {
        assertThatThrownBy(() -> OfferServiceGrpc.newBlockingStub(offersChannel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .whoAmI(WhoAmIRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }

    private static String token(String credential, String audience) {
        return AuthorityGrpc.newBlockingStub(authorityChannel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .exchangeToken(ExchangeTokenRequest.newBuilder().setSubjectToken(credential).setAudience(audience).build())
                .getPrivateToken();
    }

    private static WhoAmIResponse whoAmI(String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return OfferServiceGrpc.newBlockingStub(offersChannel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .whoAmI(WhoAmIRequest.getDefaultInstance());
    }
}
