package dev.kval.host.bare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.kernel.KvalPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bare-metal hosts for {@code ssh:<name>}, from a JSON file ({@code --inventory}, $KVAL_INVENTORY or
 * $KVAL_STATE/inventory.json):
 *
 * <pre>
 * { "hosts": { "epyc1": { "address": "10.0.0.5", "port": 22, "user": "root",
 *                         "key": "/path/to/private_key",            (optional: kval's own key)
 *                         "hostKey": "ssh-ed25519 AAAA...",          (or "knownHosts": "/path/known_hosts")
 *                         "tags": ["amd", "sev-snp"],
 *                         "powerCycle": ["ipmitool", "-H", "bmc1", "chassis", "power", "cycle"],
 *                         "bootTimeoutSeconds": 600 } } }
 * </pre>
 * A host key is mandatory: kval never accepts an unknown host key.
 */
public record Inventory(Map<String, Entry> hosts) {

    public record Entry(String name, String address, int port, String user, Path key, String hostKey, Path knownHosts,
            List<String> tags, List<String> powerCycle, int bootTimeoutSeconds) {
    }

    public static Path defaultPath() {
        String env = System.getenv("KVAL_INVENTORY");
        return env != null && !env.isBlank() ? Path.of(env) : KvalPaths.state().resolve("inventory.json");
    }

    public static Inventory load(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("no inventory at " + file + " (set --inventory or KVAL_INVENTORY)");
        }
        return parse(new ObjectMapper().readTree(file.toFile()), file);
    }

    static Inventory parse(JsonNode root, Path file) throws IOException {
        Map<String, Entry> m = new LinkedHashMap<>();
        JsonNode hosts = root.path("hosts");
        if (!hosts.isObject()) {
            throw new IOException(file + ": expected an object \"hosts\" mapping names to hosts");
        }
        for (var it = hosts.fields(); it.hasNext();) {
            var e = it.next();
            String name = e.getKey();
            JsonNode h = e.getValue();
            String address = h.path("address").asText("");
            if (address.isBlank()) {
                throw new IOException(file + ": host " + name + " has no address");
            }
            String hostKey = h.hasNonNull("hostKey") ? h.get("hostKey").asText() : null;
            Path known = h.hasNonNull("knownHosts") ? resolve(file, h.get("knownHosts").asText()) : null;
            if (hostKey == null && known == null) {
                throw new IOException(file + ": host " + name + " needs a pinned \"hostKey\" or a \"knownHosts\" file");
            }
            m.put(name, new Entry(name, address, h.path("port").asInt(22), h.path("user").asText("root"),
                    h.hasNonNull("key") ? resolve(file, h.get("key").asText()) : null, hostKey, known, strings(h.path("tags")),
                    strings(h.path("powerCycle")), h.path("bootTimeoutSeconds").asInt(600)));
        }
        return new Inventory(m);
    }

    private static Path resolve(Path file, String p) {
        if (p.startsWith("~/")) {
            return Path.of(System.getProperty("user.home"), p.substring(2));
        }
        Path x = Path.of(p);
        return x.isAbsolute() || file.getParent() == null ? x : file.getParent().resolve(x);
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }

    public Entry get(String name) throws IOException {
        Entry e = hosts.get(name);
        if (e == null) {
            throw new IOException("no host '" + name + "' in the inventory (known: " + hosts.keySet() + ")");
        }
        return e;
    }
}
