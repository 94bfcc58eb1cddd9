package dev.kval.suites;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's KTAP on its way to agent.ktap: prints one line per finished suite and, when the host's console log
 * grows while the agent runs (QEMU's serial log), cuts the console into per-case slices. The agent prints a case's
 * result line when the case ends and cases run one after another, so what the console gained between two case
 * result lines is what the kernel said during that case (give or take the SSH latency).
 */
final class KtapProgress extends OutputStream {
    private static final Pattern SUITE_END = Pattern.compile("^(not )?ok \\d+ (\\S+)(.*)$");
    private static final Pattern CASE_END = Pattern.compile("^ {2}(not )?ok \\d+ (\\S+)");
    /** A leaf's result line (nested deeper than a case). */
    private static final Pattern LEAF_END = Pattern.compile("^ {4,}(not )?ok \\d+ (\\S+)");
    private static final int MAX_SLICE = 64 * 1024;
    private final String host;
    private final OutputStream file;
    private final Path console;
    private final Consumer<String> say;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final Map<String, String> caseConsole = new LinkedHashMap<>();
    private long consoleMark;
    private final StringBuilder times = new StringBuilder();
    private long lastEvent = System.currentTimeMillis();

    /** @param console a console log written live while the agent runs, or null */
    KtapProgress(String host, OutputStream file, Path console, Consumer<String> say) {
        this.host = host;
        this.file = file;
        this.console = console;
        this.say = say;
        this.consoleMark = size();
    }

    /** Case id -> the console lines printed while it ran (only cases during which the console said something). */
    synchronized Map<String, String> caseConsole() {
        return Map.copyOf(caseConsole);
    }

    @Override
    public synchronized void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        file.write(b, off, len);
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                onLine(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b[i]);
            }
        }
    }

    /**
     * Leaf id, start and stop (epoch ms) of every leaf as its result line streamed in: a leaf starts when the line before
     * its own result (the previous leaf's or case's) arrived. One line per leaf run, tab-separated (ktap-times.tsv).
     */
    synchronized String leafTimes() {
        return times.toString();
    }

    private void onLine(String l) {
        long now = System.currentTimeMillis();
        Matcher lm = LEAF_END.matcher(l);
        if (lm.find()) {
            times.append(lm.group(2)).append('\t').append(lastEvent).append('\t').append(now).append('\n');
            lastEvent = now;
            return;
        }
        if (l.startsWith("  ")) {
            lastEvent = now; // a case's header or result: the next leaf starts after it
        }
        Matcher m = CASE_END.matcher(l);
        if (m.find()) {
            sliceConsole(m.group(2));
            return;
        }
        m = SUITE_END.matcher(l);
        if (m.matches()) {
            say.accept(host + ": suite " + m.group(2) + " " + (m.group(1) == null ? "ok" : "NOT OK") + m.group(3));
        }
    }

    private void sliceConsole(String caseId) {
        if (console == null) {
            return;
        }
        long end = size();
        if (end <= consoleMark) {
            return;
        }
        long from = Math.max(consoleMark, end - MAX_SLICE);
        try (RandomAccessFile f = new RandomAccessFile(console.toFile(), "r")) {
            byte[] buf = new byte[(int) (end - from)];
            f.seek(from);
            f.readFully(buf);
            String text = new String(buf, StandardCharsets.UTF_8);
            if (!text.isBlank()) {
                caseConsole.merge(caseId, text, String::concat); // --repeat: one case id, several runs
            }
        } catch (IOException e) {
            // the console is evidence, not a verdict: a slice we cannot read is simply not attached
        }
        consoleMark = end;
    }

    private long size() {
        try {
            return console != null && Files.exists(console) ? Files.size(console) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public void flush() throws IOException {
        file.flush();
    }
}
