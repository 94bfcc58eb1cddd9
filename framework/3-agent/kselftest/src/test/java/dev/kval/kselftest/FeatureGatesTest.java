package dev.kval.kselftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The second opinion's feature gates decide from caps.json and kval's leaves, both ways (kselftest-gates.tsv). */
class FeatureGatesTest {
    private static final FeatureGates G = FeatureGates.bundled();

    private static JsonNode caps(String json) throws Exception {
        return new ObjectMapper().readTree(json);
    }

    @Test
    void everyGatedProgramIsOneKvalBuilds() {
        var names = Kselftests.GUEST_MEMFD_TESTS.stream().map(t -> t.replaceAll(".*/", "")).toList();
        for (FeatureGates.Gate g : G.gates()) {
            assertTrue(names.contains(g.program()), "kselftest-gates.tsv names a program kval does not build: " + g.program());
        }
    }

    @Test
    void leafGateRunsOnlyWhereKvalSawTheFeature() throws Exception {
        JsonNode c = caps("{}");
        assertEquals(Optional.empty(), G.skipReason("set_memory_region_test", c, Map.of("api.mmio_vectoring.internal_error", "PASS")));
        Optional<String> xfail = G.skipReason("set_memory_region_test", c, Map.of("api.mmio_vectoring.internal_error", "XFAIL"));
        assertTrue(xfail.isPresent() && xfail.get().contains("lacks the feature") && xfail.get().contains("XFAIL"), String.valueOf(xfail));
        Optional<String> none = G.skipReason("set_memory_region_test", c, Map.of());
        assertTrue(none.isPresent() && none.get().contains("did not run"), String.valueOf(none));
    }

    @Test
    void capGateFollowsCapsJson() throws Exception {
        assertEquals(Optional.empty(), G.skipReason("pre_fault_memory_test", caps("{\"caps\":{\"pre_fault_memory\":1}}"), Map.of()));
        assertTrue(G.skipReason("pre_fault_memory_test", caps("{\"caps\":{\"pre_fault_memory\":0}}"), Map.of()).isPresent());
        assertTrue(G.skipReason("private_mem_conversions_test", caps("{\"vm_type_creatable\":{\"1\":0}}"), Map.of()).get()
                .contains("KVM_X86_SW_PROTECTED_VM"));
        assertEquals(Optional.empty(), G.skipReason("x86/private_mem_kvm_exits_test", caps("{\"vm_type_creatable\":{\"1\":1}}"), Map.of()));
    }
}
