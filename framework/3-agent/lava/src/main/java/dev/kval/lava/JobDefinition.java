package dev.kval.lava;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.kval.agent.AgentOptions;
import dev.kval.host.ShellQuote;
import dev.kval.host.qemu.Initramfs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The LAVA job that boots a kernel with kval's batch initramfs and runs the agent: deploy (kernel + initramfs from the
 * artifact server, each with its sha256; LAVA adds its test overlay into the cpio itself) -&gt; boot (QEMU, waits for the
 * batch image's prompt) -&gt; test (an inline definition that runs the agent and prints its caps report, KTAP and the
 * kernel log between {@link Markers}). Each action has its own timeout. The verdicts are kval's: the KTAP is parsed from
 * the job log, never taken from LAVA's test cases.
 */
public final class JobDefinition {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
    /** Always on the command line: the serial console LAVA reads, and reboot (= QEMU exits, -no-reboot) on panic. */
    static final String BASE_APPEND = "console=ttyS0,115200 panic=-1";

    /** Lines the test definition prints around each part of the output (a section is the lines strictly between, matched whole). */
    public enum Markers {
        CAPS, KTAP, DMESG, STDERR;

        public String begin() {
            return "KVAL-" + name() + "-BEGIN";
        }

        public String end() {
            return "KVAL-" + name() + "-END";
        }

        String echo(String marker) {
            return "echo " + marker;
        }
    }

    /** Prefix of the line that carries the agent's exit status. */
    public static final String EXIT_MARKER = "KVAL-AGENT-EXIT";

    private JobDefinition() {
    }

    /** What a kernel parameter is made of; anything else could end the quoted -append or the argument LAVA splits. */
    static final java.util.regex.Pattern APPEND_CHARS = java.util.regex.Pattern.compile("[A-Za-z0-9 _.,:=/+@%~*\\[\\]-]*");

    /**
     * The extra kernel command line goes inside {@code -append "..."} of the qemu command LAVA's dispatcher builds and
     * splits: only kernel-parameter characters are allowed (no quotes, backslashes, $, backticks, ;, newlines), else
     * one more QEMU option (a -device, a -chardev to a host file) could ride along.
     */
    static void checkAppend(String extra) {
        if (!APPEND_CHARS.matcher(extra).matches()) {
            int bad = 0;
            while (APPEND_CHARS.matcher(String.valueOf(extra.charAt(bad))).matches()) {
                bad++;
            }
            throw new IllegalArgumentException("the extra kernel command line '" + extra.replace("\n", "\\n") + "' has '"
                    + (extra.charAt(bad) == '\n' ? "\\n" : String.valueOf(extra.charAt(bad))) + "' at " + bad + ": only letters, digits, spaces and"
                    + " _ . , : = / + @ % ~ * [ ] - can go into the LAVA qemu command line; drop it");
        }
    }

    /**
     * @param name         job name (shown in LAVA's UI)
     * @param deviceType   the LAVA device type
     * @param kernel       the kernel artifact
     * @param initramfs    the batch initramfs artifact
     * @param append       extra kernel command line (null: none)
     * @param options      the agent's suites and limits
     * @param t            the actions' timeouts
     * @param metadata     key/values LAVA stores with the job (kval's run, target)
     */
    public static String yaml(String name, String deviceType, ArtifactServer.Artifact kernel, ArtifactServer.Artifact initramfs,
            String append, AgentOptions options, LavaConfig.Timeouts t, Map<String, String> metadata) {
        String extra = append == null ? "" : append.strip();
        checkAppend(extra);
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("device_type", deviceType);
        job.put("job_name", name);
        job.put("priority", "medium");
        job.put("visibility", "public");
        job.put("timeouts", Map.of("job", minutes(t.jobMinutes()), "action", minutes(Math.max(t.bootMinutes(), t.deployMinutes())),
                "connection", minutes(2)));
        job.put("context", Map.of("arch", "amd64"));
        if (!metadata.isEmpty()) {
            job.put("metadata", metadata);
        }
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("url", kernel.url());
        k.put("sha256sum", kernel.sha256());
        k.put("image_arg", "-kernel {kernel} -append \"" + (BASE_APPEND + " " + extra).strip() + "\"");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("url", initramfs.url());
        r.put("sha256sum", initramfs.sha256());
        r.put("format", "cpio.newc");
        r.put("overlays", Map.of("lava", true)); // LAVA repacks its test overlay into the cpio: no disk, no libguestfs
        r.put("image_arg", "-initrd {ramdisk}");
        Map<String, Object> images = new LinkedHashMap<>();
        images.put("kernel", k);
        images.put("ramdisk", r);
        List<Object> actions = new ArrayList<>();
        actions.add(Map.of("deploy", ordered("timeout", minutes(t.deployMinutes()), "to", "tmpfs", "images", images)));
        actions.add(Map.of("boot", ordered("timeout", minutes(t.bootMinutes()), "method", "qemu", "media", "tmpfs",
                "prompts", List.of(Initramfs.BATCH_PROMPT))));
        Map<String, Object> def = new LinkedHashMap<>();
        def.put("from", "inline");
        def.put("name", "kval-agent");
        def.put("path", "inline/kval-agent.yaml");
        def.put("repository", ordered("metadata", ordered("format", "Lava-Test Test Definition 1.0", "name", "kval-agent",
                "description", "kval's guest_memfd agent; its KTAP is kval's to parse"), "run", Map.of("steps", steps(options, t))));
        actions.add(Map.of("test", ordered("timeout", minutes(t.testMinutes()), "definitions", List.of(def))));
        job.put("actions", actions);
        try {
            return YAML.writeValueAsString(job);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shell steps: caps report, the agent (KTAP to a file, bounded by the test timeout), then its output and dmesg. */
    static List<String> steps(AgentOptions options, LavaConfig.Timeouts t) {
        List<String> argv = new ArrayList<>(List.of(Initramfs.AGENT_PATH));
        argv.addAll(options.args());
        long limit = Math.max(60, Math.min(options.overall().toSeconds(), t.testMinutes() * 60L - 60));
        String agent = ShellQuote.join(argv);
        // LAVA's test runner traces every step (set -x); each printing step runs in its own sh, whose commands are not
        // traced, so nothing but the output lands between the markers
        return List.of(
                section(Markers.CAPS, Initramfs.AGENT_PATH + " --caps --json"),
                // in its own sh: LAVA's run.sh runs under `set -e`, so an agent exiting non-zero (any failed leaf) as a
                // bare step ended the test there and the KTAP was never printed (every verdict lost)
                "sh -c " + ShellQuote.quote("timeout -s KILL " + limit + " " + agent + " > /tmp/agent.ktap 2> /tmp/agent.stderr; echo \"" + EXIT_MARKER + " $?\""),
                // console messages off while the files are printed: the KTAP must not interleave with kernel lines
                "dmesg -n 1",
                section(Markers.KTAP, "cat /tmp/agent.ktap"),
                section(Markers.STDERR, "cat /tmp/agent.stderr"),
                section(Markers.DMESG, "dmesg"));
    }

    private static String section(Markers m, String command) {
        return "sh -c " + ShellQuote.quote(m.echo(m.begin()) + "; " + command + "; " + m.echo(m.end()));
    }

    private static Map<String, Object> minutes(int m) {
        return Map.of("minutes", m);
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
