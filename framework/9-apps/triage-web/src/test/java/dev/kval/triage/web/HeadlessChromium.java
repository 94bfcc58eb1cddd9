package dev.kval.triage.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's chromium, headless, pointed at a page the running app serves: the DOM after its scripts ran, and a
 * screenshot (flags as the sweep's page test uses them: closed network, root without a sandbox).
 */
final class HeadlessChromium {
    static final Path BINARY = Path.of("/usr/bin/chromium");

    private HeadlessChromium() {
    }

    static String dumpDom(String url, Path profile) throws IOException, InterruptedException {
        return run(url, profile, "--dump-dom");
    }

    static void screenshot(String url, Path profile, Path png, int width, int height) throws IOException, InterruptedException {
        run(url, profile, "--screenshot=" + png, "--window-size=" + width + "," + height, "--hide-scrollbars");
    }

    private static String run(String url, Path profile, String... what) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: run infra/setup (it installs Debian's chromium for the page tests)");
        }
        List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile));
        cmd.addAll(List.of(what));
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("chromium did not finish rendering " + url + " within 120 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException("chromium exited " + p.exitValue() + " rendering " + url);
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
