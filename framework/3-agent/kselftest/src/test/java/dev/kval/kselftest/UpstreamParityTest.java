package dev.kval.kselftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.agent.AgentBinary;
import dev.kval.kernel.KernelCache;
import dev.kval.kernel.KvalPaths;
import dev.kval.kernel.Proc;
import dev.kval.kernel.debian.PrivateApt;
import dev.kval.kernel.build.KernelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream parity, counted (issue 16 item 1): every assertion of the four upstream guest_memfd programs in
 * linux-source-7.3 has a row in images/agent/upstream-map.tsv, every row's leaves exist in the real agent's
 * {@code --list --json}, and the agent has at least 3 distinct leaves per upstream assertion.
 */
class UpstreamParityTest {
    static final String SOURCE = "linux-source-7.3";
    static List<UpstreamMap.Assertion> assertions;
    static UpstreamMap map;
    static Set<String> leafIds;

    @BeforeAll
    static void load() throws Exception {
        Path tree = new KernelBuilder(KernelCache.defaultCache(), PrivateApt.defaultInstance(), System.out::println)
                .source(SOURCE, new HashMap<>());
        assertions = UpstreamMap.scan(tree.resolve("tools/testing/selftests/kvm"));
        map = UpstreamMap.load(KvalPaths.repo().resolve("images/agent/upstream-map.tsv"));
        Path agent = AgentBinary.locate();
        String json = Proc.check(List.of(agent.toString(), "--list", "--json"), null, Duration.ofSeconds(30)).stdout();
        leafIds = new LinkedHashSet<>();
        for (JsonNode n : new ObjectMapper().readTree(json)) {
            leafIds.add(n.path("id").asText());
        }
    }

    @Test
    void everyUpstreamAssertionHasARow() {
        List<String> missing = map.uncovered(assertions);
        assertTrue(missing.isEmpty(), missing.size() + " upstream assertions of " + SOURCE
                + " have no (current) row in images/agent/upstream-map.tsv; add rows naming the kval leaves that make "
                + "the same check:\n  " + String.join("\n  ", missing));
        Set<String> keys = new LinkedHashSet<>();
        assertions.forEach(a -> keys.add(a.key()));
        List<String> stale = map.rows().stream().map(UpstreamMap.Row::key).filter(k -> !keys.contains(k)).toList();
        assertTrue(stale.isEmpty(), "rows of upstream-map.tsv name no assertion of " + SOURCE + ": " + stale);
    }

    @Test
    void everyRowsLeavesAreInTheAgentsList() {
        List<String> unknown = map.unknownLeaves(leafIds);
        assertTrue(unknown.isEmpty(), "upstream-map.tsv names leaves the agent does not have:\n  " + String.join("\n  ", unknown));
    }

    @Test
    void agentHasThreeLeavesPerUpstreamAssertion() {
        long gaps = map.rows().stream().filter(UpstreamMap.Row::gap).count();
        Set<String> mapped = new LinkedHashSet<>();
        map.rows().forEach(r -> mapped.addAll(UpstreamMap.matching(r, leafIds)));
        System.out.printf("upstream assertions %d, rows %d (gaps %d), agent distinct leaves %d, leaves mapped to upstream %d%n",
                assertions.size(), map.rows().size(), gaps, leafIds.size(), mapped.size());
        map.rows().stream().filter(UpstreamMap.Row::gap).forEach(r -> System.out.println("  gap " + r.key() + " " + r.function()));
        assertTrue(leafIds.size() >= 3L * assertions.size(), "the agent has " + leafIds.size()
                + " distinct leaves, fewer than 3x the " + assertions.size() + " upstream assertions");
    }

    /** Negative controls: the checks fail when a row is missing, edited, or names an unknown leaf. */
    @Test
    void theChecksCanFail(@TempDir Path tmp) throws IOException {
        List<String> lines = Files.readAllLines(KvalPaths.repo().resolve("images/agent/upstream-map.tsv"));
        List<String> cut = new ArrayList<>();
        String dropped = null;
        for (String l : lines) {
            if (dropped == null && l.startsWith("guest_memfd_test.c\ttest_collapse\t220\t")) {
                dropped = l;
                continue;
            }
            cut.add(l.startsWith("pre_fault_memory_test.c\tmain\t") ? l.replaceAll("\t[^\t]+$", "\tapi.no_such_case.x") : l);
        }
        assertTrue(dropped != null, "the control row (guest_memfd_test.c:220, MADV_COLLAPSE errno) is in the map");
        Path t = tmp.resolve("m.tsv");
        Files.write(t, cut);
        UpstreamMap broken = UpstreamMap.load(t);
        List<String> missing = broken.uncovered(assertions);
        assertEquals(1, missing.size(), missing.toString());
        assertTrue(missing.get(0).startsWith("guest_memfd_test.c:220"), missing.toString());
        List<String> unknown = broken.unknownLeaves(leafIds);
        assertEquals(1, unknown.size(), unknown.toString());
        assertFalse(UpstreamMap.splitGlobs("a.{b,c}.d,e").size() != 2);
    }
}
