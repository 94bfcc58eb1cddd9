package dev.kval.run;

import dev.kval.host.HostFailure;

/** A stage that failed: which one, and the attributed failure (the stage's own, or its failure class's). */
public final class StageFailure extends Exception {
    private final transient Stage stage;
    private final HostFailure failure;

    public StageFailure(Stage stage, HostFailure failure) {
        super(stage.name() + ": " + failure.getMessage(), failure);
        this.stage = stage;
        this.failure = failure;
    }

    public Stage stage() {
        return stage;
    }

    public HostFailure failure() {
        return failure;
    }
}
