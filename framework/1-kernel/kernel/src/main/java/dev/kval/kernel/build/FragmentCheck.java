package dev.kval.kernel.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that every setting a config fragment asks for is in the final .config. olddefconfig silently drops a symbol
 * whose dependencies are not met (merge_config.sh -m only merges), and a kernel that quietly lacks, say,
 * HWPOISON_INJECT turns the poison suite into SKIPs: so a setting that did not survive fails the build, naming it.
 * A later fragment overrides an earlier one, as merge_config.sh does.
 */
final class FragmentCheck {
    private static final Pattern SET = Pattern.compile("^(CONFIG_[A-Za-z0-9_]+)=(.*)$");
    private static final Pattern UNSET = Pattern.compile("^# (CONFIG_[A-Za-z0-9_]+) is not set$");

    private FragmentCheck() {
    }

    /** What the fragments ask for, in merge order: symbol -> value ("n" for "is not set"), with the fragment that set it. */
    static Map<String, String[]> wanted(List<Path> fragments) throws IOException {
        Map<String, String[]> want = new HashMap<>();
        for (Path f : fragments) {
            for (String l : Files.readAllLines(f)) {
                String t = l.strip();
                Matcher m = SET.matcher(t);
                if (m.matches()) {
                    want.put(m.group(1), new String[] {m.group(2), f.getFileName().toString()});
                    continue;
                }
                m = UNSET.matcher(t);
                if (m.matches()) {
                    want.put(m.group(1), new String[] {"n", f.getFileName().toString()});
                }
            }
        }
        return want;
    }

    static List<String> missing(List<Path> fragments, Path dotConfig) throws IOException {
        Map<String, String> have = new HashMap<>();
        for (String l : Files.readAllLines(dotConfig)) {
            Matcher m = SET.matcher(l.strip());
            if (m.matches()) {
                have.put(m.group(1), m.group(2));
            }
        }
        List<String> bad = new ArrayList<>();
        wanted(fragments).forEach((sym, v) -> {
            String got = have.getOrDefault(sym, "n");
            if (!got.equals(v[0])) {
                bad.add(sym + "=" + v[0] + " (from " + v[1] + ") ended as " + (got.equals("n") ? "not set" : got));
            }
        });
        bad.sort(null);
        return bad;
    }

    static void requireSurvived(List<Path> fragments, Path dotConfig) throws IOException {
        List<String> bad = missing(fragments, dotConfig);
        if (!bad.isEmpty()) {
            throw new IOException("kernel config: " + bad.size() + " fragment setting(s) did not survive olddefconfig (a dependency is"
                    + " missing or another option selects it; add the dependency to the fragment or drop the line): "
                    + String.join("; ", bad) + " — see " + dotConfig);
        }
    }
}
