package dev.kval.ktap;

/** Counts leaves and parse errors without retaining anything: constant memory. */
public final class CountingListener implements KtapListener {
    private int pass, fail, skip, xfail, timeout, error, missing, leaves, depth, results, parseErrors, consoleLines;

    @Override
    public void onResult(TestResult r) {
        results++;
        if (!r.leaf()) {
            return;
        }
        leaves++;
        depth = Math.max(depth, r.depth());
        switch (r.status()) {
            case PASS -> pass++;
            case FAIL -> fail++;
            case SKIP -> skip++;
            case XFAIL -> xfail++;
            case TIMEOUT -> timeout++;
            case ERROR -> error++;
            case MISSING -> missing++;
        }
    }

    @Override
    public void onParseError(int line, String message) {
        parseErrors++;
    }

    @Override
    public void onConsoleLine(int line, String text) {
        consoleLines++;
    }

    public Counts counts() {
        return new Counts(pass, fail, skip, xfail, timeout, error, missing, leaves, depth);
    }

    /** All results, leaves and parents. */
    public int results() {
        return results;
    }

    public int parseErrors() {
        return parseErrors;
    }

    public int consoleLines() {
        return consoleLines;
    }
}
