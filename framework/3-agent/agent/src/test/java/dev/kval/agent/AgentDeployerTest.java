package dev.kval.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kval.host.Host;
import dev.kval.host.LocalHost;
import dev.kval.ktap.Status;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real agent on this machine (local host): deploy, caps, run, parse. */
class AgentDeployerTest {
    @TempDir
    Path tmp;

    @Test
    void argsAreBuiltFromOptions() {
        assertEquals(List.of("--suite", "api,guest", "--case", "api.C12*", "--repeat", "3", "--timeout", "5"),
                new AgentOptions(List.of("api", "guest"), "api.C12*", 3, 5, null).args());
        assertEquals(List.of(), AgentOptions.all().args());
    }

    /** A runaway program in the agent's place: its output is spooled up to the cap, then the run fails saying so. */
    @Test
    void outputOverTheCapIsAClearErrorAndItsSpoolIsKept() throws Exception {
        Path runaway = tmp.resolve("runaway.sh");
        Files.writeString(runaway, "#!/bin/sh\nprintf 'KTAP version 1\\n1..1\\n'; while :; do echo '# spam'; done | head -c 3000000\n");
        runaway.toFile().setExecutable(true);
        System.setProperty(KtapSpool.CAP_PROPERTY, String.valueOf(1 << 20));
        try (Host h = new LocalHost.Provider(tmp.resolve("work")).provision(null)) {
            dev.kval.host.HostFailure e = org.junit.jupiter.api.Assertions.assertThrows(dev.kval.host.HostFailure.class,
                    () -> AgentDeployer.locate().run(h, runaway.toString(), new AgentOptions(List.of("api"), null, null, null,
                            Duration.ofMinutes(1)), null));
            assertTrue(e.getMessage().contains("printed 30") && e.getMessage().contains("over kval's cap of 1 MiB")
                    && e.getMessage().contains(KtapSpool.CAP_PROPERTY), e.getMessage());
            String kept = e.getMessage().replaceAll("(?s).* are in (\\S+)\\).*", "$1");
            assertEquals(1 << 20, Files.size(Path.of(kept)), "the first cap bytes are kept on disk: " + kept);
            Files.delete(Path.of(kept));
        } finally {
            System.clearProperty(KtapSpool.CAP_PROPERTY);
        }
    }

    @Test
    void deploysIntoARelativeWorkDirectory() throws Exception {
        // ./kval run's default --out is relative (runs/<timestamp>); the local host runs commands inside it
        Path rel = Path.of("target", "relative-work-" + System.nanoTime());
        AgentDeployer d = AgentDeployer.locate();
        try (Host h = new LocalHost.Provider(rel).provision(null)) {
            d.deploy(h);
            assertTrue(AgentDeployer.caps(h.capabilities().orElseThrow()).has("kvm_available"), "the caps probe ran");
        }
    }

    @Test
    void deploysRunsAndParsesOnTheLocalHost() throws Exception {
        AgentDeployer d = AgentDeployer.locate();
        assertTrue(Files.isExecutable(d.binary()));
        try (Host h = new LocalHost.Provider(tmp).provision(null)) {
            String remote = d.deploy(h);
            JsonNode caps = AgentDeployer.caps(h.capabilities().orElseThrow());
            assertTrue(caps.has("kvm_available"));
            ByteArrayOutputStream streamed = new ByteArrayOutputStream();
            AgentRun run = d.run(h, remote, new AgentOptions(List.of("api"), "api.caps.*", null, 10, Duration.ofMinutes(5)), streamed);
            assertEquals(run.ktap(), streamed.toString());
            assertTrue(run.ktap().startsWith("KTAP version 1"));
            assertFalse(run.tree().leaves().isEmpty());
            if (!caps.path("kvm_available").asBoolean()) {
                // no /dev/kvm: the agent skips with its reason, never fails
                run.tree().leaves().forEach(r -> assertEquals(Status.SKIP, r.status()));
                run.tree().leaves().forEach(r -> assertFalse(r.reason().isBlank()));
            }
            assertEquals(AgentDeployer.canRunGuestMemfd(caps), caps.path("kvm_available").asBoolean()
                    && caps.path("caps").path("guest_memfd").asInt() > 0 && caps.path("vm_type_creatable").path("0").asInt() == 1);
        }
    }
}
