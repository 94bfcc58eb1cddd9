package dev.kval.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One command run as a user runs it, as a whole process: wall time from fork to exit (measured here), and peak RSS
 * (VmHWM of the process, from GNU time's %M, which reads the exited child's rusage) and CPU time (user + sys) when
 * /usr/bin/time exists.
 */
public record WholeProcess(double seconds, long peakRssKb, int exit, String stdout, double cpuSeconds) {

    static final Path GNU_TIME = Path.of("/usr/bin/time");

    static WholeProcess run(List<String> argv, Path workDir) throws IOException, InterruptedException {
        Path rss = Files.createTempFile(workDir, "rss-", ".txt");
        Path out = Files.createTempFile(workDir, "out-", ".txt");
        try {
            List<String> cmd = new ArrayList<>();
            boolean timed = Files.isExecutable(GNU_TIME);
            if (timed) {
                cmd.addAll(List.of(GNU_TIME.toString(), "-f", "%M %U %S", "-o", rss.toString()));
            }
            cmd.addAll(argv);
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", argv) + " did not finish in 30 minutes");
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long kb = -1;
            double cpu = -1;
            if (timed) {
                // GNU time writes "Command exited with non-zero status N" before the figures when the exit is not 0
                List<String> l = Files.readAllLines(rss, StandardCharsets.UTF_8);
                if (!l.isEmpty()) {
                    String[] f = l.get(l.size() - 1).strip().split(" ");
                    kb = Long.parseLong(f[0]);
                    cpu = Double.parseDouble(f[1]) + Double.parseDouble(f[2]);
                }
            }
            return new WholeProcess(seconds, kb, p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1), cpu);
        } finally {
            Files.deleteIfExists(rss);
            Files.deleteIfExists(out);
        }
    }

    String rssMb() {
        return peakRssKb < 0 ? "-" : String.format(java.util.Locale.ROOT, "%.0f", peakRssKb / 1024.0);
    }
}
