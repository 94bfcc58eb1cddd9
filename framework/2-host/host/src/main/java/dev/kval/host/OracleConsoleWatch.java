package dev.kval.host;

import dev.kval.console.CrashOracle;
import dev.kval.console.Finding;
import java.util.ArrayList;
import java.util.List;

/** {@link ConsoleWatch} backed by the crash oracle's incremental session; keeps the lines to cut out splats. */
public final class OracleConsoleWatch implements ConsoleWatch {
    private static final int MAX_LINES = 500_000;
    private static final int MAX_SPLAT = 200;
    private final CrashOracle.Session session;
    private final List<String> lines = new ArrayList<>();

    public OracleConsoleWatch(CrashOracle oracle) {
        this.session = oracle.session();
    }

    public static OracleConsoleWatch standard() {
        return new OracleConsoleWatch(CrashOracle.standard());
    }

    @Override
    public synchronized void feed(String line) {
        session.feed(line);
        if (lines.size() < MAX_LINES) {
            // Evidence keeps at most the oracle's line cap per line, so a runaway line cannot fill the heap.
            lines.add(line != null && line.length() > CrashOracle.MAX_LINE
                    ? line.substring(0, CrashOracle.MAX_LINE) + CrashOracle.CUT_MARKER + (line.length() - CrashOracle.MAX_LINE) + "]"
                    : line);
        } else {
            lines.add(""); // keep numbering; drop content
        }
    }

    @Override
    public synchronized boolean panicked() {
        return session.panicked();
    }

    @Override
    public synchronized boolean crashed() {
        return !session.findings().isEmpty() || session.panicked();
    }

    public synchronized List<Finding> rawFindings() {
        return session.findings();
    }

    @Override
    public synchronized List<String> findings() {
        List<String> out = new ArrayList<>();
        for (Finding f : session.findings()) {
            out.add(f.crashClass() + ": " + f.title() + " (console lines " + f.firstLine() + "-" + f.lastLine() + ")");
        }
        return out;
    }

    @Override
    public synchronized List<String> evidence() {
        List<String> out = new ArrayList<>();
        for (Finding f : session.findings()) {
            int from = Math.max(0, f.firstLine() - 1);
            int to = Math.min(lines.size(), Math.min(f.lastLine(), from + MAX_SPLAT));
            out.addAll(lines.subList(from, to));
        }
        if (out.isEmpty() && session.panicked()) {
            out.addAll(lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        }
        return out;
    }
}
