package dev.kval.host.qemu;

import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.debian.ModuleFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Which kernel modules a kval guest's initramfs carries, and in which order init loads them (from modules.dep). */
final class GuestModules {
    private GuestModules() {
    }

    /**
     * Resolves Initramfs.NET_MODULES and Initramfs.WANTED_MODULES + their dependencies from modules.dep (builtin ones are simply absent),
     * copies them decompressed, then Initramfs.HOSTROOT_MODULES; returns [network load order, KVM load order, 9p load order].
     */
    static List<List<String>> resolve(KernelArtifact kernel, Path root) throws IOException {
        if (kernel.modulesDir().isEmpty()) {
            return List.of(List.of(), List.of(), List.of());
        }
        Path md = kernel.modulesDir().get();
        Map<String, List<String>> deps = new LinkedHashMap<>();
        Map<String, String> byName = new LinkedHashMap<>();
        for (String line : Files.readAllLines(md.resolve("modules.dep"))) {
            int c = line.indexOf(':');
            if (c < 0) {
                continue;
            }
            String path = line.substring(0, c).strip();
            List<String> ds = new ArrayList<>();
            for (String d : line.substring(c + 1).strip().split("\\s+")) {
                if (!d.isEmpty()) {
                    ds.add(d);
                }
            }
            deps.put(path, ds);
            byName.put(norm(ModuleFiles.plainName(path)), path);
        }
        Set<String> order = new LinkedHashSet<>();
        for (String w : Initramfs.NET_MODULES) {
            String p = byName.get(norm(w + ".ko"));
            if (p != null) {
                visit(p, deps, order, new LinkedHashSet<>());
            }
        }
        int netCount = order.size();
        for (String w : Initramfs.WANTED_MODULES) {
            String p = byName.get(norm(w + ".ko"));
            if (p != null) {
                visit(p, deps, order, new LinkedHashSet<>());
            }
        }
        int kvmCount = order.size();
        for (String w : Initramfs.HOSTROOT_MODULES) {
            String p = byName.get(norm(w + ".ko"));
            if (p != null) {
                visit(p, deps, order, new LinkedHashSet<>());
            }
        }
        String rel = kernel.release();
        List<String> net = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        List<String> ninep = new ArrayList<>();
        Path dest = Files.createDirectories(root.resolve("lib/modules").resolve(rel));
        int i = 0;
        for (String p : order) {
            String name = ModuleFiles.plainName(p);
            Files.write(dest.resolve(name), ModuleFiles.decompress(md.resolve(p)));
            (i < netCount ? net : i < kvmCount ? rest : ninep).add(rel + "/" + name);
            i++;
        }
        return List.of(net, rest, ninep);
    }

    private static void visit(String p, Map<String, List<String>> deps, Set<String> order, Set<String> stack) {
        if (order.contains(p) || !stack.add(p)) {
            return;
        }
        for (String d : deps.getOrDefault(p, List.of())) {
            visit(d, deps, order, stack);
        }
        order.add(p);
    }

    private static String norm(String n) {
        return n.replace('-', '_');
    }

}
