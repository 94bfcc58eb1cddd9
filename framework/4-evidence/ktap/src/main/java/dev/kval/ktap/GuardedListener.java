package dev.kval.ktap;

/**
 * The caller's listener behind a wall: whatever it throws is wrapped in {@link Failure}, so the parser can tell its own
 * bugs (reported as parse errors, parsing goes on) from the caller's (propagated unchanged by {@link #rethrow}).
 */
final class GuardedListener implements KtapListener {
    /** Marks exceptions thrown by the caller's listener. */
    static final class Failure extends RuntimeException {
        Failure(Throwable cause) {
            super(cause);
        }

        /** Throws the caller's own exception or error again, unwrapped. */
        RuntimeException rethrow() {
            Throwable c = getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw (Error) c;
        }
    }

    private final KtapListener d;

    GuardedListener(KtapListener d) {
        this.d = d;
    }

    // one try per callback, no lambda: C1 (the fast CLI path's only compiler) would allocate one per result
    @Override
    public void onResult(TestResult r) {
        try {
            d.onResult(r);
        } catch (RuntimeException | Error e) {
            throw new Failure(e);
        }
    }

    @Override
    public void onParseError(int line, String message) {
        try {
            d.onParseError(line, message);
        } catch (RuntimeException | Error e) {
            throw new Failure(e);
        }
    }

    @Override
    public void onConsoleLine(int line, String text) {
        try {
            d.onConsoleLine(line, text);
        } catch (RuntimeException | Error e) {
            throw new Failure(e);
        }
    }

    @Override
    public void onBailOut(int line, String reason) {
        try {
            d.onBailOut(line, reason);
        } catch (RuntimeException | Error e) {
            throw new Failure(e);
        }
    }
}
