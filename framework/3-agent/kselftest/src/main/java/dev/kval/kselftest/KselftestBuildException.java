package dev.kval.kselftest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Some selftests did not build: which ones, and where the full log is. The message carries the compiler's last lines. */
public final class KselftestBuildException extends IOException {
    private final List<String> failedTests;
    private final Path log;

    public KselftestBuildException(String message, List<String> failedTests, Path log) {
        super(message);
        this.failedTests = List.copyOf(failedTests);
        this.log = log;
    }

    /** The tests (as requested, e.g. {@code x86/private_mem_conversions_test}) that produced no binary. */
    public List<String> failedTests() {
        return failedTests;
    }

    public Path log() {
        return log;
    }
}
