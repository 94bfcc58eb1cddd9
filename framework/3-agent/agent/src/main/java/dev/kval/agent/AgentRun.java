package dev.kval.agent;

import dev.kval.ktap.KtapTree;
import java.time.Duration;

/** One agent run on one host: the raw KTAP, its parse, exit status, stderr and timing. */
public record AgentRun(String ktap, KtapTree tree, int exit, String stderr, Duration elapsed, boolean timedOut) {
}
