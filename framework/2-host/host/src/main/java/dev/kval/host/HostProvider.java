package dev.kval.host;

import dev.kval.kernel.KernelArtifact;
import java.io.IOException;

/** Makes hosts: local (this machine), qemu (boots a candidate kernel), ssh:&lt;name&gt; (bare metal, not yet). */
public interface HostProvider {
    /**
     * A ready host running {@code kernel} (null: the provider's default; {@code local} always runs this machine's
     * kernel). A host that cannot be brought up raises a {@link HostFailure} attributed to the kernel or the infra.
     */
    Host provision(KernelArtifact kernel) throws IOException;
}
