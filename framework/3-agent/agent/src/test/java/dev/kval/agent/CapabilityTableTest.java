package dev.kval.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The capability table and the real agent agree: every requirement name the agent's {@code --list --json} gives a leaf
 * is a row of the table, and every agent name in the table is one the agent uses. The deploy check reads the same rows.
 */
class CapabilityTableTest {
    static Set<String> agentNeeds() throws Exception {
        Path agent = AgentBinary.locate();
        Process p = new ProcessBuilder(agent.toString(), "--list", "--json").redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the agent's --list --json ended");
        assertEquals(0, p.exitValue(), "exit status of " + agent + " --list --json");
        Set<String> needs = new TreeSet<>();
        JsonNode leaves = new ObjectMapper().readTree(out);
        assertTrue(leaves.size() > 100, "the agent lists its leaves: " + leaves.size());
        leaves.forEach(l -> l.path("needs").forEach(n -> needs.add(n.asText())));
        return needs;
    }

    @Test
    void everyRequirementTheAgentListsIsARowAndNoRowIsStale() throws Exception {
        Set<String> needs = agentNeeds();
        assertTrue(needs.contains("kvm") && needs.contains("gmem"), "the agent names its requirements: " + needs);
        List<String> unknown = needs.stream().filter(n -> Capability.byAgentNeed(n).isEmpty()).toList();
        assertTrue(unknown.isEmpty(), "requirement names of the agent missing from capabilities.tsv: " + unknown);
        List<String> stale = Capability.all().stream().filter(c -> c.agentNeed() != null && !needs.contains(c.agentNeed()))
                .map(Capability::id).toList();
        assertTrue(stale.isEmpty(), "capabilities.tsv rows whose agent name the agent never lists: " + stale);
    }

    @Test
    void theDeployCheckReadsTheTable() throws Exception {
        ObjectMapper m = new ObjectMapper();
        JsonNode ok = m.readTree("{\"kvm_available\": true, \"vm_type_creatable\": {\"0\": 1}, \"caps\": {\"guest_memfd\": 1}}");
        assertTrue(AgentDeployer.canRunGuestMemfd(ok));
        assertEquals("it can", AgentDeployer.whyNot(ok));
        JsonNode noGmem = m.readTree("{\"kvm_available\": true, \"vm_type_creatable\": {\"0\": 1}, \"caps\": {\"guest_memfd\": 0}}");
        assertFalse(AgentDeployer.canRunGuestMemfd(noGmem));
        assertEquals("KVM_CAP_GUEST_MEMFD is 0", AgentDeployer.whyNot(noGmem));
        JsonNode noKvm = m.readTree("{\"kvm_available\": false, \"kvm_unavailable_reason\": \"ENOENT\"}");
        assertEquals("no usable /dev/kvm (ENOENT)", AgentDeployer.whyNot(noKvm));
        assertEquals("guest_memfd", Capability.explaining("needs KVM_CAP_GUEST_MEMFD").orElseThrow().id());
        assertEquals("kvm", Capability.explaining("no /dev/kvm: ENOENT").orElseThrow().id());
    }
}
