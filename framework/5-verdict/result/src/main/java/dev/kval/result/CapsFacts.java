package dev.kval.result;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Must-run derived from the host's capabilities (issue 16 item 7): the agent's SKIP reasons name what a leaf needs
 * ("needs VM type KVM_X86_SNP_VM (KVM_CAP_VM_TYPES bit 4)", "needs >= 2 NUMA nodes", ...) and caps.json, probed on
 * the same boot, says whether the kernel has it. A SKIP whose need caps.json shows PRESENT is kval's failure on any
 * kernel, without a hand-typed must-run row; a SKIP whose need caps.json shows ABSENT is a fact of the kernel even
 * where a broad must-run.tsv row (e.g. {@code api.*}) matches.
 */
public final class CapsFacts {
    static final List<String> VM_TYPES = List.of("KVM_X86_DEFAULT_VM", "KVM_X86_SW_PROTECTED_VM", "KVM_X86_SEV_VM",
            "KVM_X86_SEV_ES_VM", "KVM_X86_SNP_VM", "KVM_X86_TDX_VM");

    private record Rule(Pattern reason, Function<Matcher, Function<JsonNode, Optional<Boolean>>> present) {
    }

    private static Optional<Boolean> flag(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? Optional.empty() : Optional.of(n.asLong() > 0 || n.asBoolean());
    }

    private static int type(String name) {
        return VM_TYPES.indexOf(name);
    }

    private static Optional<Boolean> flags(JsonNode c, int t, long bits) {
        JsonNode n = c.path("guest_memfd_flags_per_vm_type").path(String.valueOf(t));
        return n.isMissingNode() ? Optional.empty() : Optional.of(n.asLong() > 0 && (n.asLong() & bits) == bits);
    }

    private static final List<Rule> RULES = List.of(
            new Rule(Pattern.compile("^needs VM type (\\w+)"),
                    m -> c -> flag(c.path("vm_type_creatable").path(String.valueOf(type(m.group(1)))))),
            new Rule(Pattern.compile("^needs KVM_CAP_GUEST_MEMFD_FLAGS & (MMAP\\|INIT_SHARED|MMAP|INIT_SHARED) on (\\w+)"),
                    m -> c -> flags(c, type(m.group(2)), m.group(1).equals("MMAP") ? 1 : m.group(1).equals("INIT_SHARED") ? 2 : 3)),
            new Rule(Pattern.compile("^needs KVM_CAP_GUEST_MEMFD_FLAGS & (MMAP|INIT_SHARED)$"),
                    m -> c -> flags(c, 0, m.group(1).equals("MMAP") ? 1 : 2)),
            new Rule(Pattern.compile("^needs KVM_CAP_GUEST_MEMFD on (\\w+)"),
                    m -> c -> flag(c.path("guest_memfd_create_works").path(String.valueOf(type(m.group(1)))))),
            new Rule(Pattern.compile("^needs KVM_CAP_GUEST_MEMFD \\(KVM_CREATE_GUEST_MEMFD\\)"),
                    m -> c -> flag(c.path("guest_memfd_create_works").path("0"))),
            new Rule(Pattern.compile("^needs guest_memfd memslots on KVM_X86_DEFAULT_VM"),
                    m -> c -> flag(c.path("guest_memfd_bind_works").path("0"))),
            new Rule(Pattern.compile("^needs >= 2 NUMA nodes"),
                    m -> c -> c.path("numa_nodes").isMissingNode() ? Optional.empty() : Optional.of(c.path("numa_nodes").asInt() >= 2)),
            new Rule(Pattern.compile("^needs CONFIG_MEMORY_FAILURE"), m -> c -> flag(c.path("memory_failure"))),
            new Rule(Pattern.compile("^needs hwpoison_inject"), m -> c -> flag(c.path("hwpoison_inject"))),
            new Rule(Pattern.compile("^needs KVM_CAP_PRE_FAULT_MEMORY"), m -> c -> flag(c.path("caps").path("pre_fault_memory"))),
            new Rule(Pattern.compile("^needs KVM_CAP_MCE"), m -> c -> flag(c.path("caps").path("mce_banks"))),
            new Rule(Pattern.compile("^needs KVM_CAP_BINARY_STATS_FD"), m -> c -> flag(c.path("caps").path("binary_stats_fd"))),
            new Rule(Pattern.compile("^needs KVM_CAP_MEMORY_ATTRIBUTES & PRIVATE"),
                    m -> c -> {
                        JsonNode n = c.path("memory_attributes_per_vm_type").path("1");
                        return n.isMissingNode() ? Optional.empty() : Optional.of(n.asLong() > 0 && (n.asLong() & 8) != 0);
                    }));

    private final JsonNode caps;

    public CapsFacts(JsonNode caps) {
        this.caps = caps;
    }

    /** The host's caps.json (the agent's --caps --json), or no facts when it is missing or unreadable. */
    public static CapsFacts of(Path hostDir) {
        Path p = hostDir == null ? null : hostDir.resolve("caps.json");
        try {
            if (p != null && Files.isRegularFile(p)) {
                return new CapsFacts(new ObjectMapper().readTree(p.toFile()));
            }
        } catch (IOException e) {
            // no facts: the hand-typed must-run rows still apply
        }
        return new CapsFacts(new ObjectMapper().createObjectNode());
    }

    /**
     * Whether the need a SKIP reason names is present according to caps.json: {@code true} = present (the SKIP is
     * wrong), {@code false} = absent (the SKIP is a fact), empty = caps.json does not say.
     */
    public Optional<Boolean> needPresent(String skipReason) {
        if (skipReason == null) {
            return Optional.empty();
        }
        for (Rule r : RULES) {
            Matcher m = r.reason().matcher(skipReason);
            if (m.find()) {
                try {
                    return r.present().apply(m).apply(caps);
                } catch (RuntimeException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}
