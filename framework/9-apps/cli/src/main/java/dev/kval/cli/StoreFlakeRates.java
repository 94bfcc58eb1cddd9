package dev.kval.cli;

import dev.kval.reports.bisect.FlakeRates;
import dev.kval.store.Store;
import dev.kval.triage.FlakeSnapshot;
import dev.kval.triage.FlakeStatistics;
import java.io.PrintStream;

/** The bisection's measured flake rates: the triage statistics of the result store ({@link FlakeSnapshot#rate}). */
final class StoreFlakeRates {
    private StoreFlakeRates() {
    }

    /** From the store the environment names; {@link FlakeRates#UNKNOWN} (saying why) when it cannot be read. */
    static FlakeRates fromStore(PrintStream err) {
        try (Store store = Store.open()) {
            FlakeSnapshot snap = FlakeStatistics.compute(store, FlakeStatistics.Scope.ALL);
            err.println("kval: flake rates from the result store " + store.url().replaceAll("password=[^;&]*", "password=***") + " ("
                    + snap.series().size() + " series)");
            return snap::rate;
        } catch (Exception e) {
            err.println("kval: no measured flake rates (the result store could not be read: " + e.getMessage() + "); estimating from the steps");
            return FlakeRates.UNKNOWN;
        }
    }
}
