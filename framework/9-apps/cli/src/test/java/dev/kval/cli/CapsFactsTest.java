package dev.kval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.result.CapsFacts;
import java.io.InputStream;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Must-run derived from caps (issue 16 item 7) against real caps.json files the agent wrote in QEMU (resources
 * caps/debian-7.3.4-qemu.json and caps/debian-6.18.15-qemu.json, runs of 2026-12-07): a SKIP reason whose need the
 * host has must be reported as present (the SKIP then fails), a need the host lacks as absent.
 */
class CapsFactsTest {
    private static CapsFacts caps(String name) throws Exception {
        try (InputStream in = CapsFactsTest.class.getResourceAsStream("/caps/" + name)) {
            return new CapsFacts(new ObjectMapper().readTree(in));
        }
    }

    @Test
    void skipReasonsAreJudgedAgainstTheHostsCaps() throws Exception {
        CapsFacts c = caps("debian-7.3.4-qemu.json");
        // absent on Debian 7.3.4 under TCG: a SKIP is the kernel's fact even under the broad api.* must-run row
        assertEquals(Optional.of(false), c.needPresent("needs VM type KVM_X86_SW_PROTECTED_VM (KVM_CAP_VM_TYPES bit 1): "
                + "KVM_CREATE_VM gave EINVAL"));
        assertEquals(Optional.of(false), c.needPresent("needs VM type KVM_X86_SW_PROTECTED_VM (CONFIG_KVM_SW_PROTECTED_VM)"));
        assertEquals(Optional.of(false), c.needPresent("needs VM type KVM_X86_TDX_VM (KVM_CAP_VM_TYPES bit 5): x"));
        // present: a SKIP with these reasons is kval's failure on any kernel (negative controls of the rule)
        assertEquals(Optional.of(true), c.needPresent("needs VM type KVM_X86_DEFAULT_VM (KVM_CAP_VM_TYPES bit 0): x"));
        assertEquals(Optional.of(true), c.needPresent("needs KVM_CAP_GUEST_MEMFD_FLAGS & MMAP|INIT_SHARED on KVM_X86_DEFAULT_VM (cap 0x3)"));
        assertEquals(Optional.of(true), c.needPresent("needs KVM_CAP_GUEST_MEMFD_FLAGS & INIT_SHARED"));
        assertEquals(Optional.of(true), c.needPresent("needs >= 2 NUMA nodes (upstream returns early too)"));
        assertEquals(Optional.of(true), c.needPresent("needs KVM_CAP_PRE_FAULT_MEMORY"));
        assertEquals(Optional.of(true), c.needPresent("needs guest_memfd memslots on KVM_X86_DEFAULT_VM (6.18+)"));
        // not a capability caps.json records: the hand-typed must-run rows decide
        assertEquals(Optional.empty(), c.needPresent("needs guest_memfd NUMA mempolicy (6.19+, guest_memfd pseudo-fs with GUEST_MEMFD_MAGIC)"));
        assertEquals(Optional.empty(), c.needPresent(null));
    }

    @Test
    void theSameReasonFlipsWithTheKernel() throws Exception {
        // Debian 6.18.15 has gmem but a default VM only; the rule follows each host's own caps
        CapsFacts c = caps("debian-6.18.15-qemu.json");
        assertEquals(Optional.of(true), c.needPresent("needs KVM_CAP_GUEST_MEMFD (KVM_CREATE_GUEST_MEMFD)"));
        assertEquals(Optional.of(false), c.needPresent("needs VM type KVM_X86_SEV_VM (KVM_CAP_VM_TYPES bit 2): x"));
        assertEquals(Optional.of(false), new CapsFacts(new ObjectMapper().readTree("{\"numa_nodes\": 1}"))
                .needPresent("needs >= 2 NUMA nodes"));
    }
}
