package dev.kval.kselftest;

import dev.kval.host.HostFailure;
import dev.kval.ktap.KtapTree;
import dev.kval.ktap.TestResult;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The upstream selftests' run on one host.
 *
 * @param ktap       the KTAP v1 document (suite {@code kselftest} > {@code kselftest.<program>} > the program's own results)
 * @param tree       that document parsed by kval's KTAP parser
 * @param programs   what each program did, in run order (raw output, exit status, time)
 * @param hostFailed the host failure that ended the run early, or null
 * @param elapsed    wall time of upload + runs
 */
public record KselftestResult(String ktap, KtapTree tree, List<ProgramRun> programs, HostFailure hostFailed, Duration elapsed) {
    public KselftestResult {
        programs = List.copyOf(programs);
    }

    public Optional<HostFailure> hostFailure() {
        return Optional.ofNullable(hostFailed);
    }

    /** The parsed result for program {@code name} (e.g. guest_memfd_test), whether it is a leaf or has subtests. */
    public Optional<TestResult> program(String name) {
        return tree.roots().stream().flatMap(s -> s.children().stream()).map(n -> n.result())
                .filter(r -> r.name().equals(KtapAssembler.SUITE + "." + name)).findFirst();
    }

    /**
     * The leaves that belong to program {@code name}: its own subtests, or the program's result itself when it printed
     * none (most KVM selftests report only through their exit status).
     */
    public List<TestResult> leaves(String name) {
        String id = KtapAssembler.SUITE + "." + name;
        return tree.leaves().stream().filter(r -> r.name().equals(id) || r.name().startsWith(id + ".")).toList();
    }

    public Optional<ProgramRun> run(String name) {
        return programs.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
