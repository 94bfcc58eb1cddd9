package dev.kval.controller;

import dev.kval.store.Store;
import dev.kval.triage.web.TriageStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The triage pages read the controller's own store: one Store per process, because the default H2 file is private
 * to the process that holds it (no AUTO_SERVER) and the controller opens it at start.
 */
@ApplicationScoped
public class ControllerTriageStore implements TriageStore {
    @Inject
    Services services;

    @Override
    public Store store() {
        return services.store();
    }
}
