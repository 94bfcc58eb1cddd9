package dev.kval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The module graph of the whole repository, read from the files (every reactor module's pom.xml and every
 * {@code META-INF/services} provider file), has no cycle and no edge to a higher layer.
 *
 * <p>Edges: a pom dependency on a kval artifact (any scope), and a ServiceLoader back-edge: the module that declares a
 * service interface loads its providers at run time, so it depends on every module that registers one.
 *
 * <p>Layers: the folder {@code framework/N-name/...} is layer N (1-kernel < 2-host < 3-agent < 4-evidence < 5-verdict <
 * 6-run < 7-store < 8-triage < 9-apps); {@code suites} and {@code reports} are at run level (6); {@code images/*} (the
 * agent's C source, the workloads) at agent level (3). A module may depend on its own or a lower layer. One kind of
 * module is below every layer: a <em>format</em> module (the KTAP and console parsers of 4-evidence), which any layer
 * may read with, because it depends on no kval module but another format module (checked here: a format module with
 * any other kval dependency fails the test, so the exception cannot grow into a back door; the console parser reads
 * KTAP, so console -> ktap is allowed).
 */
class ModuleGraphTest {
    /** Parsers of text formats (KTAP, console logs): depend only on each other, usable from any layer. */
    static final Set<String> FORMATS = Set.of("kval-ktap", "kval-console");

    record Module(String artifact, Path dir, int layer, Set<String> deps, Set<String> services, Set<String> provides) {
    }

    static Path root;
    static Map<String, Module> modules;

    @BeforeAll
    static void read() throws Exception {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("framework"))
                && Files.isDirectory(p.resolve("suites")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no repository root (pom.xml, framework/, suites/) above " + Path.of("").toAbsolutePath());
        }
        root = p;
        modules = new TreeMap<>();
        collect(root);
    }

    /** Reactor modules from the root pom down (aggregators with {@code <modules>} are walked, not counted). */
    static void collect(Path dir) throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve("pom.xml").toFile());
        Element project = pom.getDocumentElement();
        List<String> subs = texts(child(project, "modules"), "module");
        for (String s : subs) {
            collect(dir.resolve(s).normalize());
        }
        if (!subs.isEmpty()) {
            return;
        }
        String artifact = text(child(project, "artifactId"));
        Set<String> deps = new TreeSet<>();
        Element ds = child(project, "dependencies");
        if (ds != null) {
            for (Element d : children(ds, "dependency")) {
                String a = text(child(d, "artifactId"));
                if ("dev.kval".equals(text(child(d, "groupId"))) && !a.equals(artifact)) {
                    deps.add(a);
                }
            }
        }
        Set<String> services = new TreeSet<>();
        Set<String> provides = new TreeSet<>();
        Path java = dir.resolve("src/main/java");
        Path meta = dir.resolve("src/main/resources/META-INF/services");
        if (Files.isDirectory(meta)) {
            try (Stream<Path> s = Files.list(meta)) {
                s.forEach(f -> provides.add(f.getFileName().toString()));
            }
        }
        if (Files.isDirectory(java)) {
            // a type this module loads through ServiceLoader: ServiceLoader.load(X.class)
            Pattern load = Pattern.compile("ServiceLoader\\s*\\.\\s*load(?:Installed)?\\s*\\(\\s*([A-Za-z0-9_.]+)\\.class");
            try (Stream<Path> s = Files.walk(java)) {
                for (Path f : s.filter(x -> x.toString().endsWith(".java")).toList()) {
                    String src = Files.readString(f);
                    Matcher m = load.matcher(src);
                    while (m.find()) {
                        services.add(qualify(m.group(1), src));
                    }
                }
            }
        }
        modules.put(artifact, new Module(artifact, root.relativize(dir), layer(root.relativize(dir)), deps, services, provides));
    }

    /** The fully qualified name of a type named in a source file (its import, else its own package). */
    static String qualify(String name, String src) {
        if (name.contains(".")) {
            return name;
        }
        Matcher imp = Pattern.compile("(?m)^import\\s+([\\w.]+\\." + Pattern.quote(name) + ");").matcher(src);
        if (imp.find()) {
            return imp.group(1);
        }
        Matcher pkg = Pattern.compile("(?m)^package\\s+([\\w.]+);").matcher(src);
        return (pkg.find() ? pkg.group(1) + "." : "") + name;
    }

    static int layer(Path rel) {
        String first = rel.getName(0).toString();
        if (first.equals("framework")) {
            Matcher m = Pattern.compile("^(\\d+)-").matcher(rel.getName(1).toString());
            if (!m.find()) {
                throw new IllegalStateException(rel + ": a framework module must sit in a framework/N-layer/ folder");
            }
            return Integer.parseInt(m.group(1));
        }
        return switch (first) {
            case "suites", "reports" -> 6;
            case "images" -> 3;
            default -> throw new IllegalStateException(rel + ": no layer for the top-level folder " + first);
        };
    }

    /** Every edge: pom dependencies, and each service-loading module -> each module that provides that service. */
    static Map<String, Set<String>> edges(Map<String, Module> ms) {
        Map<String, Set<String>> e = new TreeMap<>();
        for (Module m : ms.values()) {
            Set<String> out = new TreeSet<>(m.deps());
            for (String svc : m.services()) {
                ms.values().stream().filter(p -> p.provides().contains(svc) && !p.artifact().equals(m.artifact()))
                        .forEach(p -> out.add(p.artifact() + " (ServiceLoader " + svc + ")"));
            }
            e.put(m.artifact(), out);
        }
        return e;
    }

    static String target(String edge) {
        int sp = edge.indexOf(' ');
        return sp < 0 ? edge : edge.substring(0, sp);
    }

    /** Each cycle found by a depth-first search, as a path a -> b -> ... -> a (empty: none). */
    static List<String> cycles(Map<String, Set<String>> edges) {
        List<String> found = new ArrayList<>();
        Map<String, Integer> state = new LinkedHashMap<>();
        for (String start : edges.keySet()) {
            dfs(start, edges, state, new ArrayList<>(), found);
        }
        return found;
    }

    private static void dfs(String n, Map<String, Set<String>> edges, Map<String, Integer> state, List<String> path, List<String> found) {
        Integer s = state.get(n);
        if (s != null && s == 2) {
            return;
        }
        if (s != null && s == 1) {
            found.add(String.join(" -> ", path.subList(path.indexOf(n), path.size())) + " -> " + n);
            return;
        }
        state.put(n, 1);
        path.add(n);
        for (String e : edges.getOrDefault(n, Set.of())) {
            dfs(target(e), edges, state, path, found);
        }
        path.remove(path.size() - 1);
        state.put(n, 2);
    }

    /** Edges to a higher layer (formats excepted), and format modules that depend on a kval module. */
    static List<String> layerViolations(Map<String, Module> ms) {
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : edges(ms).entrySet()) {
            Module from = ms.get(e.getKey());
            for (String edge : e.getValue()) {
                Module to = ms.get(target(edge));
                if (to == null) {
                    bad.add(from.artifact() + " -> " + edge + ": no such module in the reactor");
                } else if (FORMATS.contains(from.artifact()) && !FORMATS.contains(to.artifact())) {
                    bad.add(from.artifact() + " (" + from.dir() + ") is a format module and may depend only on format modules, but depends on " + edge);
                } else if (to.layer() > from.layer() && !FORMATS.contains(to.artifact())) {
                    bad.add(from.artifact() + " (" + from.dir() + ", layer " + from.layer() + ") -> " + edge + " (" + to.dir() + ", layer "
                            + to.layer() + "): a module may depend only on its own or a lower layer");
                }
            }
        }
        return bad;
    }

    @Test
    void everyModuleIsReadAndHasALayer() {
        assertTrue(modules.size() >= 20, "the reactor's modules: " + modules.keySet());
        for (String a : List.of("kval-kernel", "kval-host", "kval-agent", "kval-ktap", "kval-result", "kval-engine", "kval-store", "kval-gate",
                "kval-bench", "kval-cli", "kval-suites")) {
            assertTrue(modules.containsKey(a), a + " in " + modules.keySet());
        }
        assertEquals(1, modules.get("kval-kernel").layer());
        assertEquals(6, modules.get("kval-suites").layer());
        assertEquals(9, modules.get("kval-cli").layer());
    }

    @Test
    void noCyclesServiceLoaderBackEdgesIncluded() {
        List<String> c = cycles(edges(modules));
        assertTrue(c.isEmpty(), "module cycles (break each by moving the shared type down or handing the implementation in):\n  "
                + String.join("\n  ", c));
    }

    @Test
    void noModuleDependsOnAHigherLayer() {
        List<String> bad = layerViolations(modules);
        assertTrue(bad.isEmpty(), "layer violations (move the module up, or the shared code down):\n  " + String.join("\n  ", bad));
    }

    /** README's flow table names every module folder (and no folder that is gone), so the map matches the tree. */
    @Test
    void readmeFlowTableMatchesTheFolders() throws Exception {
        String readme = Files.readString(root.resolve("README.md"));
        int a = readme.indexOf("## The flow, and where it lives");
        int b = readme.indexOf("\n## ", a + 1);
        assertTrue(a >= 0 && b > a, "README.md has a section '## The flow, and where it lives'");
        String flow = readme.substring(a, b);
        List<String> missing = modules.values().stream().map(m -> m.dir().toString().replace('\\', '/'))
                .filter(d -> d.startsWith("framework/") || d.equals("suites") || d.equals("reports"))
                .filter(d -> !flow.contains("`" + d + "`")).toList();
        assertTrue(missing.isEmpty(), "README's flow table does not name " + missing);
        Matcher m = Pattern.compile("`(framework/[0-9]-[a-z-]+/[a-z-]+)`").matcher(flow);
        List<String> gone = new ArrayList<>();
        while (m.find()) {
            if (!Files.isRegularFile(root.resolve(m.group(1)).resolve("pom.xml"))) {
                gone.add(m.group(1));
            }
        }
        assertTrue(gone.isEmpty(), "README's flow table names folders that are no modules: " + gone);
    }

    /** Negative controls: the checks find what they are for, on small graphs built the way {@link #collect} builds them. */
    @Test
    void theChecksCatchACycleThroughAServiceLoaderAndAnUpwardEdge() {
        Map<String, Module> g = new TreeMap<>();
        // store (7) declares and loads a service that triage (8) provides; triage depends on store: a cycle only through
        // the ServiceLoader edge, and an upward edge store -> triage
        g.put("kval-store", new Module("kval-store", Path.of("framework/7-store/store"), 7, Set.of(), Set.of("dev.kval.store.Classifier"), Set.of()));
        g.put("kval-triage", new Module("kval-triage", Path.of("framework/8-triage/triage"), 8, Set.of("kval-store"), Set.of(),
                Set.of("dev.kval.store.Classifier")));
        g.put("kval-ktap", new Module("kval-ktap", Path.of("framework/4-evidence/ktap"), 4, Set.of(), Set.of(), Set.of()));
        g.put("kval-agent", new Module("kval-agent", Path.of("framework/3-agent/agent"), 3, Set.of("kval-ktap"), Set.of(), Set.of()));
        List<String> c = cycles(edges(g));
        assertEquals(1, c.size(), c.toString());
        assertTrue(c.get(0).contains("kval-store") && c.get(0).contains("kval-triage"), c.get(0));
        List<String> bad = layerViolations(g);
        assertEquals(1, bad.size(), bad.toString());
        assertTrue(bad.get(0).startsWith("kval-store") && bad.get(0).contains("ServiceLoader"), bad.get(0));
        // a format module that grows a kval dependency is caught
        g.put("kval-ktap", new Module("kval-ktap", Path.of("framework/4-evidence/ktap"), 4, Set.of("kval-kernel"), Set.of(), Set.of()));
        g.put("kval-kernel", new Module("kval-kernel", Path.of("framework/1-kernel/kernel"), 1, Set.of(), Set.of(), Set.of()));
        assertTrue(layerViolations(g).stream().anyMatch(s -> s.contains("is a format module")), layerViolations(g).toString());
    }

    private static Element child(Element e, String name) {
        if (e == null) {
            return null;
        }
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    private static List<Element> children(Element e, String name) {
        List<Element> out = new ArrayList<>();
        NodeList l = e.getChildNodes();
        for (int i = 0; i < l.getLength(); i++) {
            if (l.item(i) instanceof Element c && c.getTagName().equals(name)) {
                out.add(c);
            }
        }
        return out;
    }

    private static List<String> texts(Element e, String name) {
        return e == null ? List.of() : children(e, name).stream().map(ModuleGraphTest::text).toList();
    }

    private static String text(Element e) {
        return e == null ? null : e.getTextContent().trim();
    }
}
