package dev.kval.triage;

import java.util.regex.Pattern;

/** Shell-style globs (* and ?) for test ids, kernels and host classes, as the quarantine table and the CLI use them. */
public final class Globs {
    private Globs() {
    }

    public static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        for (char ch : glob.toCharArray()) {
            switch (ch) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(re.toString());
    }

    public static boolean matches(String glob, String value) {
        return glob == null || "*".equals(glob) || compile(glob).matcher(value).matches();
    }
}
