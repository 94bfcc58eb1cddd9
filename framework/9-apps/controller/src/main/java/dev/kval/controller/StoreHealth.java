package dev.kval.controller;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the result store answers a query (/q/health/ready); the executor's queue length is reported with it. */
@Readiness
@ApplicationScoped
public class StoreHealth implements HealthCheck {
    @Inject
    Services services;

    @Override
    public HealthCheckResponse call() {
        var b = HealthCheckResponse.named("result store");
        if (services.store() == null) {
            return b.down().withData("reason", "not opened yet").build();
        }
        try {
            services.store().check();
            return b.up().withData("url", services.store().url().replaceAll("password=[^;&]*", "password=***"))
                    .withData("queue", services.executor().queueLength()).build();
        } catch (Exception e) {
            return b.down().withData("error", e.getMessage()).build();
        }
    }
}
