package dev.kval.triage.web;

import dev.kval.store.Store;

/**
 * The result store the triage pages read. The default ({@link DefaultTriageStore}) opens it from the controller's own
 * configuration keys; an app that already holds a Store can provide its own bean of this type instead.
 */
public interface TriageStore {
    Store store();
}
