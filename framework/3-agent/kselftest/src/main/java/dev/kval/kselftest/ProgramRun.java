package dev.kval.kselftest;

import java.time.Duration;

/**
 * What one selftest program did on the host.
 *
 * @param name     program name (e.g. guest_memfd_test)
 * @param sha256   of the binary that ran (checked on the host after upload)
 * @param output   its stdout and stderr, merged in the order written (KVM selftests unbuffer stdout)
 * @param exit     exit status; for a program killed by a signal, 128 + the signal (as the shell reports it)
 * @param timedOut kval killed it at its timeout
 * @param elapsed  wall time measured on the host (from /proc/uptime), or on this side if the host did not say
 * @param timeout  its timeout
 * @param error    non-null when the program could not be run or its status is unknown (host died, no status line)
 */
public record ProgramRun(String name, String sha256, String output, int exit, boolean timedOut, Duration elapsed, Duration timeout,
        String error) {

    /** kselftest's exit codes (tools/testing/selftests/kselftest.h). */
    public static final int KSFT_PASS = 0;
    public static final int KSFT_FAIL = 1;
    public static final int KSFT_SKIP = 4;

    public ProgramRun {
        output = output == null ? "" : output;
    }

    /** The signal that killed it, or 0. Only meaningful when not timed out (the timeout kill is SIGKILL too). */
    public int signal() {
        return exit > 128 && exit < 128 + 65 ? exit - 128 : 0;
    }

    static String signalName(int sig) {
        return switch (sig) {
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 3 -> "SIGQUIT";
            case 4 -> "SIGILL";
            case 5 -> "SIGTRAP";
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 8 -> "SIGFPE";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 13 -> "SIGPIPE";
            case 14 -> "SIGALRM";
            case 15 -> "SIGTERM";
            case 31 -> "SIGSYS";
            default -> "signal " + sig;
        };
    }
}
