package dev.kval.cli;

import dev.kval.suites.HostChecksSuite;
import dev.kval.suites.RunPlan;
import dev.kval.suites.RunSession;
import io.qameta.allure.AllureLifecycle;
import io.qameta.allure.junitplatform.AllureJunitPlatform;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** Runs a session's suites through the JUnit Platform Launcher, with Allure writing to the session's results. */
final class SuiteLauncher {
    private SuiteLauncher() {
    }

    static VerdictTally run(RunSession session, AllureLifecycle allure) {
        List<DiscoverySelector> selectors = new ArrayList<>();
        RunPlan.classesOf(session.plan().suites()).forEach(c -> selectors.add(DiscoverySelectors.selectClass(c)));
        selectors.add(DiscoverySelectors.selectClass(HostChecksSuite.class));
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectors)
                .configurationParameter(RunSession.CONFIG_KEY, session.id())
                .build();
        VerdictTally tally = new VerdictTally(session);
        // Only the engines come from the classpath; listeners and filters are this run's own: allure-jupiter's
        // auto-registered listener would write through the JVM-wide lifecycle, a JVM may run several sessions at once
        // (each with its own results), and classpath session listeners (quarkus-junit's, in the CLI's tests) are
        // neither needed nor safe to open twice in parallel.
        LauncherConfig config = LauncherConfig.builder()
                .enableTestExecutionListenerAutoRegistration(false)
                .enableLauncherSessionListenerAutoRegistration(false)
                .enableLauncherDiscoveryListenerAutoRegistration(false)
                .enablePostDiscoveryFilterAutoRegistration(false)
                .addTestExecutionListeners(new AllureJunitPlatform(allure), tally)
                .build();
        LauncherFactory.create(config).execute(request);
        return tally;
    }
}
