package dev.kval.host.bare;

import dev.kval.host.ExecResult;
import dev.kval.host.HostFailure;
import dev.kval.host.ShellQuote;
import dev.kval.host.ssh.SshConnection;
import java.time.Duration;
import java.util.List;

/**
 * Private directories on a bare-metal machine for what kval uploads and then runs as root (agent, kernel, modules,
 * workload jar, selftests). A fixed path such as {@code /tmp/kval-kernel-<hash>} lets any local user create it first
 * (or a symbolic link of that name) and swap files between upload and use; {@code mktemp -d} makes a fresh directory
 * of mode 0700 that only kval's login user can enter. Files are also checked against their sha256 right before use
 * ({@link #verify}).
 */
public final class RemoteDir {
    /** The words of the refusal, so callers can tell it from the command's own exit 5. */
    public static final String CHANGED = "is not the file kval uploaded";
    private RemoteDir() {
    }

    /** A fresh {@code /tmp/kval-<purpose>.XXXXXXXXXX} (0700, owned by the login user, not a link); returns its path. */
    public static String create(SshConnection conn, String purpose) throws HostFailure {
        String script = "set -e; d=$(mktemp -d \"/tmp/kval-$1.XXXXXXXXXX\"); "
                + "[ -d \"$d\" ] && [ ! -L \"$d\" ] && [ -O \"$d\" ] || { echo \"$d is not a fresh directory of ours\" >&2; exit 3; }; "
                + "chmod 700 \"$d\"; echo \"$d\"";
        ExecResult r = conn.exec(List.of("sh", "-c", script, "sh", purpose), Duration.ofSeconds(30));
        String dir = r.stdout().strip();
        if (r.exit() != 0 || !dir.startsWith("/tmp/kval-" + purpose + ".")) {
            throw HostFailure.infra("cannot make a private directory (mktemp -d) on " + conn.target() + " (exit " + r.exit() + "): "
                    + (r.stdout() + r.stderr()).strip() + " - check /tmp on the machine", null);
        }
        return dir;
    }

    /**
     * A shell fragment that exits 5, naming the file, unless {@code path} (a regular file, not a link) has the given
     * sha256: put it right before the command that uses the file.
     */
    public static String verify(String path, String sha256) {
        String p = ShellQuote.quote(path);
        return "{ [ -f " + p + " ] && [ ! -L " + p + " ] && [ \"$(sha256sum < " + p + " | cut -d' ' -f1)\" = " + ShellQuote.quote(sha256)
                + " ]; } || { echo " + ShellQuote.quote(path + " " + CHANGED + " (sha256 mismatch or replaced): refusing to use it")
                + " >&2; exit 5; }; ";
    }

    /** Removes a directory {@link #create} made (best effort: the machine may be gone). */
    public static void remove(SshConnection conn, String dir) {
        if (dir == null || !dir.startsWith("/tmp/kval-")) {
            return;
        }
        try {
            conn.exec(List.of("rm", "-rf", "--", dir), Duration.ofSeconds(60));
        } catch (HostFailure | RuntimeException e) {
            // the machine is gone or rebooted: /tmp goes with it
        }
    }
}
