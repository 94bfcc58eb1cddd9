package dev.kval.lava;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A LAVA job log (YAML: a list of {@code {dt, lvl, msg}}): the device's console is the {@code lvl: target} lines, in order;
 * the rest is the dispatcher's own account. kval's crash oracle reads the console; the agent's output is cut out of it
 * between {@link JobDefinition.Markers}.
 */
public final class LavaLog {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final List<String> console;
    private final List<String> dispatcher;

    private LavaLog(List<String> console, List<String> dispatcher) {
        this.console = List.copyOf(console);
        this.dispatcher = List.copyOf(dispatcher);
    }

    public static LavaLog parse(String yaml) throws IOException {
        List<String> console = new ArrayList<>();
        List<String> other = new ArrayList<>();
        if (yaml == null || yaml.isBlank()) {
            return new LavaLog(console, other);
        }
        JsonNode root = YAML.readTree(yaml);
        for (JsonNode e : root) {
            JsonNode msg = e.path("msg");
            String text = msg.isTextual() ? msg.asText() : msg.toString();
            if (e.path("lvl").asText().equals("target")) {
                // LAVA's ShellLogger writes one console line per entry with '"' escaped as '\"' (and drops CR, ESC and
                // blank lines): undo the escape, so the agent's JSON and KTAP read as printed
                for (String l : text.split("\r?\n", -1)) {
                    console.add(l.replace("\r", "").replace("\\\"", "\""));
                }
            } else {
                other.add(e.path("lvl").asText() + ": " + text);
            }
        }
        return new LavaLog(console, other);
    }

    /** The device's console, one line per element. */
    public List<String> console() {
        return console;
    }

    /** The dispatcher's lines ({@code lvl: text}). */
    public List<String> dispatcher() {
        return dispatcher;
    }

    /** The lines strictly between the marker's begin and end lines (the last such section), if both were printed. */
    public Optional<String> section(JobDefinition.Markers m) {
        int begin = -1;
        Optional<String> found = Optional.empty();
        for (int i = 0; i < console.size(); i++) {
            String l = console.get(i).strip();
            if (l.equals(m.begin())) {
                begin = i;
            } else if (l.equals(m.end()) && begin >= 0) {
                found = Optional.of(String.join("\n", console.subList(begin + 1, i)) + "\n");
                begin = -1;
            }
        }
        return found;
    }

    /** The agent's exit status, if the job printed it. */
    public Optional<Integer> agentExit() {
        for (String l : console) {
            String s = l.strip();
            if (s.startsWith(JobDefinition.EXIT_MARKER + " ") && s.substring(JobDefinition.EXIT_MARKER.length() + 1).matches("\\d+")) {
                return Optional.of(Integer.parseInt(s.substring(JobDefinition.EXIT_MARKER.length() + 1)));
            }
        }
        return Optional.empty();
    }
}
