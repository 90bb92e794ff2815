package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torii.gateway.routefile.RouteFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.core.NestedExceptionUtils;

/**
 * Starts the real gateway application with broken configuration and checks it refuses to start,
 * saying why.
 */
class StartupIT {

    @TempDir
    Path routes;

    @Test
    void aBrokenRouteFileStopsStartUpNamingFileLineAndField() throws IOException {
        Path file = routes.resolve("offers.yaml");
        Files.writeString(file, """
                service: examples.offer.v1.OfferService
                upstream: {target: "localhost:50051"}
                methods:
                  - name: GetOffer
                    timeout: forever
                """);

        assertThatThrownBy(() -> start("--torii.gateway.routes-dir=" + routes))
                .satisfies(e -> {
                    Throwable root = NestedExceptionUtils.getMostSpecificCause(e);
                    assertThat(root).isInstanceOf(RouteFileException.class);
                    assertThat(root.getMessage()).contains(file + ":5: methods[0].timeout: 'forever'");
                });
    }

    @Test
    void aMissingRoutesFolderStopsStartUp() {
        assertThatThrownBy(() -> start("--torii.gateway.routes-dir=" + routes.resolve("none")))
                .satisfies(e -> assertThat(NestedExceptionUtils.getMostSpecificCause(e).getMessage())
                        .contains("none: not a readable folder"));
    }

    @Test
    void aReservedForwardedHeaderStopsStartUp() {
        assertThatThrownBy(() -> start("--torii.gateway.routes-dir=" + routes,
                "--torii.gateway.forwarded-headers=authorization"))
                .satisfies(e -> assertThat(NestedExceptionUtils.getMostSpecificCause(e).getMessage())
                        .contains("torii.gateway.forwarded-headers: 'authorization'"));
    }

    private static void start(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--server.port=0";
        all[args.length + 1] = "--management.server.port=0";
        new SpringApplicationBuilder(GatewayApplication.class).run(all).close();
    }
}
