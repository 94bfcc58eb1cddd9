package dev.kval.triage.web;

import dev.kval.store.Store;
import io.quarkus.arc.DefaultBean;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Opens the store on first use from {@code kval.db.url} / {@code kval.db.user} / {@code kval.db.password} (the keys
 * the controller reads), else from the environment like every kval command (KVAL_DB_URL, else the default H2 file).
 * Inside the controller its own bean replaces this one and hands out the controller's store: the default H2 file is
 * private to one process and is opened once.
 */
@ApplicationScoped
@DefaultBean
public class DefaultTriageStore implements TriageStore {
    private Store store;

    @Override
    public synchronized Store store() {
        if (store == null) {
            var cfg = ConfigProvider.getConfig();
            store = cfg.getOptionalValue("kval.db.url", String.class).filter(u -> !u.isBlank())
                    .map(u -> Store.open(u, cfg.getOptionalValue("kval.db.user", String.class).orElse(""),
                            cfg.getOptionalValue("kval.db.password", String.class).orElse("")))
                    .orElseGet(Store::open);
        }
        return store;
    }

    synchronized void stop(@Observes ShutdownEvent e) {
        if (store != null) {
            store.close();
        }
    }
}
