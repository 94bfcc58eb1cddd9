package dev.kval.reports.export;

import dev.kval.reports.AllureResult;
import dev.kval.reports.RunDir;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * A run as JUnit XML for CI systems: {@code <testsuites>} with one {@code <testsuite>} per host x suite and one
 * {@code <testcase>} per verdict (KTAP leaf). A SKIP is {@code <skipped message="reason">}; a kernel FAIL is
 * {@code <failure>}, a case that died (TIMEOUT/ERROR/MISSING, Allure "broken") is {@code <error>}, both with the
 * message (led by its blame in brackets, as the suites present it) and the attribution (the result's "blame" label) as
 * type. Counts follow summary.json's verdicts: failures = failed, errors = broken, skipped = skipped.
 */
public final class JunitExport {
    private JunitExport() {
    }

    /** The groups in the order their first verdict ran: key "host\tsuite". */
    static Map<String, List<AllureResult>> groups(RunDir run) {
        Map<String, List<AllureResult>> g = new LinkedHashMap<>();
        for (AllureResult r : run.results()) {
            g.computeIfAbsent(r.host() + "\t" + r.suite(), k -> new ArrayList<>()).add(r);
        }
        return g;
    }

    public static void write(RunDir run, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, ".junit", ".xml");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            write(run, out);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static void write(RunDir run, OutputStream out) throws IOException {
        try {
            XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
            w.writeStartDocument("UTF-8", "1.0");
            w.writeCharacters("\n");
            Map<String, List<AllureResult>> groups = groups(run);
            List<AllureResult> all = run.results();
            w.writeStartElement("testsuites");
            w.writeAttribute("name", "kval " + run.name());
            writeCounts(w, all);
            w.writeCharacters("\n");
            int id = 0;
            for (Map.Entry<String, List<AllureResult>> e : groups.entrySet()) {
                String[] hs = e.getKey().split("\t", 2);
                suite(w, run, id++, hs[0], hs[1], e.getValue());
            }
            w.writeEndElement();
            w.writeCharacters("\n");
            w.writeEndDocument();
            w.flush();
            w.close();
        } catch (XMLStreamException e) {
            throw new IOException("writing JUnit XML failed: " + e.getMessage(), e);
        }
    }

    private static void suite(XMLStreamWriter w, RunDir run, int id, String host, String suite, List<AllureResult> rs) throws XMLStreamException {
        w.writeCharacters("  ");
        w.writeStartElement("testsuite");
        w.writeAttribute("id", String.valueOf(id));
        w.writeAttribute("name", host + " / " + suite);
        w.writeAttribute("package", "kval." + suite);
        w.writeAttribute("hostname", host);
        long start = rs.stream().mapToLong(AllureResult::start).filter(s -> s > 0).min().orElse(0);
        if (start > 0) {
            w.writeAttribute("timestamp", Instant.ofEpochMilli(start).toString().replaceFirst("\\.\\d+Z$", "Z").replace("Z", ""));
        }
        writeCounts(w, rs);
        w.writeCharacters("\n    ");
        w.writeStartElement("properties");
        AllureResult first = rs.get(0);
        property(w, "host", host);
        property(w, "hostClass", first.labels().getOrDefault("hostClass", ""));
        property(w, "kernel", first.labels().getOrDefault("kernel", ""));
        property(w, "run", run.dir().toString());
        w.writeCharacters("\n    ");
        w.writeEndElement();
        for (AllureResult r : rs) {
            testcase(w, host, suite, r);
        }
        w.writeCharacters("\n  ");
        w.writeEndElement();
        w.writeCharacters("\n");
    }

    private static void property(XMLStreamWriter w, String name, String value) throws XMLStreamException {
        w.writeCharacters("\n      ");
        w.writeEmptyElement("property");
        w.writeAttribute("name", name);
        w.writeAttribute("value", value);
    }

    private static void testcase(XMLStreamWriter w, String host, String suite, AllureResult r) throws XMLStreamException {
        w.writeCharacters("\n    ");
        w.writeStartElement("testcase");
        w.writeAttribute("name", r.name());
        w.writeAttribute("classname", host + "." + suite);
        w.writeAttribute("time", seconds(r));
        String msg = r.message() == null ? "" : r.message();
        switch (r.status()) {
            case "skipped" -> {
                w.writeEmptyElement("skipped");
                w.writeAttribute("message", msg.isEmpty() ? "skipped (no reason recorded)" : msg);
            }
            case "failed", "broken" -> {
                AllureResult.Attribution a = r.attribution();
                w.writeStartElement(r.status().equals("failed") ? "failure" : "error");
                w.writeAttribute("message", firstLine(msg));
                w.writeAttribute("type", a == null ? "UNATTRIBUTED" : a.name());
                w.writeCharacters(msg);
                w.writeEndElement();
            }
            default -> {
                // passed (XFAIL included)
            }
        }
        String out = (r.xfail() ? "XFAIL: " + r.labels().get("xfail") + "\n" : "") + (r.observed() != null ? "observed=" + r.observed() : "");
        if (!out.isEmpty()) {
            w.writeStartElement("system-out");
            w.writeCharacters(out);
            w.writeEndElement();
        }
        w.writeEndElement();
    }

    private static void writeCounts(XMLStreamWriter w, List<AllureResult> rs) throws XMLStreamException {
        w.writeAttribute("tests", String.valueOf(rs.size()));
        w.writeAttribute("failures", String.valueOf(rs.stream().filter(r -> r.status().equals("failed")).count()));
        w.writeAttribute("errors", String.valueOf(rs.stream().filter(r -> r.status().equals("broken")).count()));
        w.writeAttribute("skipped", String.valueOf(rs.stream().filter(r -> r.status().equals("skipped")).count()));
        double t = rs.stream().mapToLong(r -> Math.max(0, r.stop() - r.start())).sum() / 1000.0;
        w.writeAttribute("time", String.format(Locale.ROOT, "%.3f", t));
    }

    private static String seconds(AllureResult r) {
        return String.format(Locale.ROOT, "%.3f", Math.max(0, r.stop() - r.start()) / 1000.0);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
