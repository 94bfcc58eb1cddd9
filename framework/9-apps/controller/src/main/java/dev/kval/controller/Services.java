package dev.kval.controller;

import dev.kval.executor.Executor;
import dev.kval.executor.KvalCli;
import dev.kval.store.Store;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The store and the executor, opened at start: the store from {@code kval.db.url} (+ user, password) or the
 * environment (KVAL_DB_URL, else the default H2 file), then the runs a killed predecessor left are recovered.
 */
@ApplicationScoped
public class Services {
    private static final Logger LOG = Logger.getLogger(Services.class);
    private Store store;
    private Executor executor;

    @Inject
    Metrics metrics;

    void start(@Observes StartupEvent e) {
        store = ControllerConfig.get("kval.db.url")
                .map(url -> Store.open(url, ControllerConfig.get("kval.db.user").orElse(""), ControllerConfig.get("kval.db.password").orElse("")))
                .orElseGet(Store::open);
        executor = new Executor(store, ControllerConfig.runsDir(), KvalCli.of(ControllerConfig.cli()), ControllerConfig.parallel(), metrics);
        metrics.watch(executor);
        List<Long> resumed = executor.recover();
        LOG.infof("kval controller: store %s, runs in %s, %d parallel cell(s)%s", store.url().replaceAll("password=[^;&]*", "password=***"),
                ControllerConfig.runsDir(), ControllerConfig.parallel(), resumed.isEmpty() ? "" : ", resumed runs " + resumed);
    }

    void stop(@Observes ShutdownEvent e) {
        if (executor != null) {
            executor.close();
        }
        if (store != null) {
            store.close();
        }
    }

    public Store store() {
        return store;
    }

    public Executor executor() {
        return executor;
    }
}
