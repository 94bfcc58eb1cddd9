package dev.kval.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A host capability, typed, from the one table ({@code capabilities.tsv} next to this class) that the agent's
 * requirement names, placement and the deploy check share: its id, the agent's name for it ({@code --list --json}
 * "needs"), how it shows in the agent's caps report (a JSON pointer and a test) and the SKIP reasons its absence
 * explains. A capability without a pointer is one the agent checks itself (it SKIPs with its reason).
 */
public record Capability(String id, String agentNeed, String pointer, String test, Pattern skipReason) {
    private static final List<Capability> ALL = load();

    /** Every row, in table order (the order {@link #explaining} tries them). */
    public static List<Capability> all() {
        return ALL;
    }

    public static Capability get(String id) {
        return ALL.stream().filter(c -> c.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown capability '" + id + "' (capabilities.tsv defines "
                        + ALL.stream().map(Capability::id).toList() + ")"));
    }

    /** The row of one of the agent's requirement names ({@code gmem}, {@code root}, ...). */
    public static Optional<Capability> byAgentNeed(String need) {
        return ALL.stream().filter(c -> need.equals(c.agentNeed)).findFirst();
    }

    /** The first capability whose absence a SKIP reason names. */
    public static Optional<Capability> explaining(String skipReason) {
        return ALL.stream().filter(c -> c.skipReason != null && c.skipReason.matcher(skipReason).find()).findFirst();
    }

    /** Whether a caps report can say if a host has it. */
    public boolean checkable() {
        return pointer != null;
    }

    /** Whether the caps report shows it (false when the report cannot say: {@link #checkable()}). */
    public boolean holds(JsonNode caps) {
        if (pointer == null) {
            return false;
        }
        JsonNode v = caps.at(pointer);
        if (v.isMissingNode() || v.isNull()) {
            return false;
        }
        if (test.equals("true")) {
            return v.asBoolean(false);
        }
        if (test.startsWith(">=")) {
            return v.asLong(Long.MIN_VALUE) >= Long.parseLong(test.substring(2));
        }
        if (test.startsWith("~")) {
            return Pattern.compile(test.substring(1)).matcher(v.asText()).find();
        }
        throw new IllegalStateException("capabilities.tsv: unknown test '" + test + "' for " + id);
    }

    private static List<Capability> load() {
        List<Capability> out = new ArrayList<>();
        try (InputStream in = Capability.class.getResourceAsStream("capabilities.tsv")) {
            if (in == null) {
                throw new IllegalStateException("capabilities.tsv missing next to " + Capability.class.getName() + " (a broken build)");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            int n = 0;
            for (String line; (line = r.readLine()) != null;) {
                n++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length != 5) {
                    throw new IllegalStateException("capabilities.tsv line " + n + ": 5 tab-separated fields expected, got " + f.length + ": " + line);
                }
                out.add(new Capability(f[0], dash(f[1]), dash(f[2]), dash(f[3]), dash(f[4]) == null ? null : Pattern.compile(f[4])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(out);
    }

    private static String dash(String s) {
        return s.equals("-") ? null : s;
    }
}
