package dev.kval.lava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kval.agent.AgentOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The job definition's shape (what LAVA validates is checked for real in LavaLabTest and the CLI's LavaRunTest). */
class JobDefinitionTest {
    static final ArtifactServer.Artifact KERNEL = new ArtifactServer.Artifact("http://h:1/aa/vmlinuz", "aa".repeat(32), 1);
    static final ArtifactServer.Artifact INITRD = new ArtifactServer.Artifact("http://h:1/bb/initramfs.cpio", "bb".repeat(32), 1);

    @Test
    void deployBootTestEachWithItsTimeoutAndTheArtifactsSha256() throws Exception {
        String yaml = JobDefinition.yaml("n", "qemu", KERNEL, INITRD, "rdinit=/nonexistent",
                new AgentOptions(List.of("api", "poison"), null, null, 30, Duration.ofMinutes(5)), new LavaConfig.Timeouts(3, 2, 9, 20, 10),
                Map.of("kval.target", "t"));
        JsonNode job = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        JsonNode actions = job.path("actions");
        assertEquals(3, actions.size());
        JsonNode deploy = actions.get(0).path("deploy");
        assertEquals(3, deploy.path("timeout").path("minutes").asInt());
        assertEquals(KERNEL.sha256(), deploy.path("images").path("kernel").path("sha256sum").asText());
        assertEquals(INITRD.sha256(), deploy.path("images").path("ramdisk").path("sha256sum").asText());
        assertTrue(deploy.path("images").path("kernel").path("image_arg").asText().contains("panic=-1 rdinit=/nonexistent\""));
        assertEquals(2, actions.get(1).path("boot").path("timeout").path("minutes").asInt());
        JsonNode test = actions.get(2).path("test");
        assertEquals(9, test.path("timeout").path("minutes").asInt());
        String steps = test.path("definitions").get(0).path("repository").path("run").path("steps").toString();
        assertTrue(steps.contains("--suite api,poison --timeout 30"), steps);
        assertTrue(steps.contains("KVAL-KTAP-BEGIN") && steps.contains("KVAL-CAPS-END"), steps);
    }

    /**
     * --append is pasted into {@code -append "..."} of the qemu command LAVA builds: payloads that would end the quoted
     * argument and add QEMU options (a -chardev writing a host file), or reach a shell, are refused naming the
     * character; ordinary kernel parameters pass and stay inside the one -append argument.
     */
    @Test
    void aCommandLineTheQemuArgumentCannotCarryIsRefused() throws Exception {
        for (String payload : List.of("a=\"b\"", "x\" -chardev file,id=c,path=/root/.ssh/authorized_keys -serial chardev:c \"", "a=$(reboot)",
                "a=`id`", "a=1;reboot", "a='1'", "a=\\", "a=1\n- deploy:", "a=1 | b", "a=1 > /x", "a=1 & b")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobDefinition.yaml("n", "qemu", KERNEL, INITRD, payload,
                    AgentOptions.all(), new LavaConfig.Timeouts(1, 1, 1, 5, 1), Map.of()), payload);
            assertTrue(e.getMessage().contains("only letters, digits"), e.getMessage());
        }
        String ok = "kvm.tdp_mmu=1 hugepagesz=2M hugepages=64 memmap=1G$2G".replace("$", "@") + " dyndbg=file:kvm_main.c,+p isolcpus=1-2";
        String yaml = JobDefinition.yaml("n", "qemu", KERNEL, INITRD, ok, AgentOptions.all(), new LavaConfig.Timeouts(1, 1, 1, 5, 1), Map.of());
        String arg = new ObjectMapper(new YAMLFactory()).readTree(yaml).path("actions").get(0).path("deploy").path("images").path("kernel")
                .path("image_arg").asText();
        assertTrue(arg.endsWith(" " + ok + "\"") && arg.chars().filter(c -> c == '"').count() == 2, arg);
    }

    @Test
    void theLogsConsoleIsTheTargetLinesUnescapedAndSectionsAreCutByMarkers() throws Exception {
        String log = String.join("\n",
                "- {\"dt\": \"t\", \"lvl\": \"info\", \"msg\": \"start: 1 deploy\"}",
                "- {\"dt\": \"t\", \"lvl\": \"target\", \"msg\": \"+ sh -c 'echo KVAL-CAPS-BEGIN; x; echo KVAL-CAPS-END'\"}",
                "- {\"dt\": \"t\", \"lvl\": \"target\", \"msg\": \"KVAL-CAPS-BEGIN\"}",
                "- {\"dt\": \"t\", \"lvl\": \"target\", \"msg\": \"{\\\\\\\"root\\\\\\\": true}\"}",
                "- {\"dt\": \"t\", \"lvl\": \"target\", \"msg\": \"KVAL-CAPS-END\"}",
                "- {\"dt\": \"t\", \"lvl\": \"target\", \"msg\": \"KVAL-AGENT-EXIT 1\"}", "");
        LavaLog l = LavaLog.parse(log);
        assertEquals(List.of("info: start: 1 deploy"), l.dispatcher());
        assertEquals("{\"root\": true}\n", l.section(JobDefinition.Markers.CAPS).orElseThrow());
        assertEquals(1, l.agentExit().orElseThrow());
        assertTrue(l.section(JobDefinition.Markers.KTAP).isEmpty());
    }

    /**
     * LAVA's run.sh runs the steps under {@code set -e}: an agent that exits non-zero (any failed leaf) must still get
     * its exit marker and KTAP printed. Run here for real: the steps in {@code sh -e}, with an "agent" that prints KTAP
     * and exits 1. (The steps once ran the agent bare, and a LAVA poison run on 7.3.4 lost all 72 verdicts.)
     */
    @Test
    void aFailingAgentStillHasItsKtapPrintedUnderSetE(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path agent = dir.resolve("agent");
        Files.writeString(agent, "#!/bin/sh\necho 'KTAP version 1'\necho '1..1'\necho 'not ok 1 x'\nexit 1\n");
        agent.toFile().setExecutable(true);
        StringBuilder script = new StringBuilder("set -e\n");
        for (String s : JobDefinition.steps(AgentOptions.all(), new LavaConfig.Timeouts(1, 1, 3, 5, 1))) {
            // only the agent's path differs from the job; dmesg needs privileges a test does not have
            script.append(s.replace(dev.kval.host.qemu.Initramfs.AGENT_PATH, agent.toString()).replace("dmesg", "true")).append('\n');
        }
        Process p = new ProcessBuilder("sh", "-c", script.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        assertTrue(out.contains(JobDefinition.EXIT_MARKER + " 1"), out);
        assertTrue(out.matches("(?s).*KVAL-KTAP-BEGIN\\s*KTAP version 1\\s*1\\.\\.1\\s*not ok 1 x\\s*KVAL-KTAP-END.*"), out);
    }
}
