package dev.kval.suites;

import dev.kval.result.RunSummary;
import io.qameta.allure.Allure;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives suites the run's {@link RunSession}: the CLI's (configuration parameter {@value RunSession#CONFIG_KEY}) or, in
 * a plain JUnit run, one made from system properties. It lives in the root store, so every suite class of the run
 * shares its hosts, and it is finished (summary.json, Allure extras) when the run ends.
 */
public final class KvalHosts implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KvalHosts.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        return p.getParameter().getType() == RunSession.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        return c.getRoot().getStore(NS).getOrComputeIfAbsent("session", k -> new Finishing(session(c)), Finishing.class).session();
    }

    private static RunSession session(ExtensionContext c) {
        return c.getConfigurationParameter(RunSession.CONFIG_KEY)
                .map(id -> RunSession.lookup(id).orElseThrow(() -> new dev.kval.result.InfraException(
                        "no open kval run session " + id + " (the CLI finished it before JUnit asked for it)")))
                // allure-jupiter's auto-registered listener writes with the global lifecycle: use that one.
                .orElseGet(() -> RunSession.open(RunPlan.fromEnvironment(), new RunSummary().kvalVersion(System.getProperty("kval.version",
                        "suites")), Allure.getLifecycle(), Path.of(System.getProperty("allure.results.directory", "allure-results")),
                        KvalHosts::log));
    }

    /** Finishes the session when JUnit closes the root store at the end of the run. */
    record Finishing(RunSession session) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            session.finish();
        }
    }

    static void log(String s) {
        System.err.println("[kval-suites] " + s);
    }
}
