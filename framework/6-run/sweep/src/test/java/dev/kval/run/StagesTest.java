package dev.kval.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.host.Attribution;
import dev.kval.host.HostFailure;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The pipeline's stages keep their own limits and failure classes (real threads and sleeps; about 1 s). */
class StagesTest {
    @Test
    void aStageThatOutlivesItsLimitFailsWithItsClassAndReleasesTheHost() {
        Stage run = new Stage("run", Duration.ofMillis(300), Attribution.KERNEL, true);
        AtomicBoolean released = new AtomicBoolean();
        try (Stages s = new Stages()) {
            long t0 = System.nanoTime();
            StageFailure f = assertThrows(StageFailure.class, () -> s.run(run, () -> {
                try {
                    Thread.sleep(10_000); // a guest that stopped answering
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }, () -> released.set(true)));
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 5_000, "the limit, not the body, ended the stage");
            assertEquals(Attribution.KERNEL, f.failure().attribution());
            assertEquals("run", f.stage().name());
            assertTrue(released.get(), "the overrun released the host");
            assertTrue(f.getMessage().contains("within its limit"), f.getMessage());
        }
    }

    @Test
    void aFailureKeepsItsOwnAttributionAndAnyOtherExceptionIsTheInfrastructures() throws Exception {
        Stage run = Stage.run(Duration.ofMinutes(1));
        try (Stages s = new Stages()) {
            StageFailure panic = assertThrows(StageFailure.class, () -> s.run(Stage.PROVISION, () -> {
                throw new HostFailure(Attribution.KERNEL, "Kernel panic - not syncing", List.of("Kernel panic - not syncing: VFS"));
            }, null));
            assertEquals(Attribution.KERNEL, panic.failure().attribution(), "a boot that panics is the kernel's in an INFRA-class stage");
            StageFailure io = assertThrows(StageFailure.class, () -> s.run(run, () -> {
                throw new IOException("disk full writing agent.ktap");
            }, null));
            assertEquals(Attribution.INFRASTRUCTURE, io.failure().attribution(), "an unwritable file is never the kernel's");
            assertEquals("ok", s.run(Stage.DEPLOY, () -> "ok", null));
            assertTrue(s.millis().containsKey("deploy"));
        }
    }
}
