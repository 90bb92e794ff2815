package dev.torii.gateway.config;

import org.springframework.boot.task.ThreadPoolTaskSchedulerBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * Wires the one scheduler of the gateway's background work: upstream health checks, route
 * reloads, the retirement of unused upstream channels, and the access log's periodic flush.
 *
 * <p>Built by Spring Boot's builder, so {@code spring.task.scheduling.*} sizes and names it. None
 * of its tasks waits on a thread for long (a health check only sends its request; a retired
 * channel is checked again after its grace period rather than waited for), so a small pool
 * serves them all; none of them runs on an event loop either.
 */
@Configuration(proxyBeanMethods = false)
public class BackgroundTaskConfiguration {

    @Bean
    ThreadPoolTaskScheduler toriiTaskScheduler(ThreadPoolTaskSchedulerBuilder builder) {
        return builder.build();
    }
}
