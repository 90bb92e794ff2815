package dev.torii.gateway;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * grpc-java calls the gateway in plaintext HTTP/2 with prior knowledge (h2c) on its public port,
 * the port that also serves HTTP/1.1.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GrpcJavaClientIT extends GrpcJavaClientCases {

    @DynamicPropertySource
    static void gateway(DynamicPropertyRegistry registry) throws IOException {
        stack(registry);
    }

    @Override
    ManagedChannel open(int port) {
        return NettyChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    }
}
