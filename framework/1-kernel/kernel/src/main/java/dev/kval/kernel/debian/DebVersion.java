package dev.kval.kernel.debian;

/** Debian version comparison (deb-version(7): epoch, upstream, revision; '~' sorts before everything). */
public final class DebVersion {
    private DebVersion() {
    }

    public static int compare(String a, String b) {
        String[] x = split(a);
        String[] y = split(b);
        int c = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
        if (c != 0) {
            return c;
        }
        c = part(x[1], y[1]);
        return c != 0 ? c : part(x[2], y[2]);
    }

    private static String[] split(String v) {
        String epoch = "0";
        int i = v.indexOf(':');
        if (i >= 0) {
            epoch = v.substring(0, i);
            v = v.substring(i + 1);
        }
        String rev = "";
        int j = v.lastIndexOf('-');
        if (j >= 0) {
            rev = v.substring(j + 1);
            v = v.substring(0, j);
        }
        return new String[] {epoch.isEmpty() ? "0" : epoch, v, rev};
    }

    private static int order(char c) {
        if (Character.isLetter(c)) {
            return c;
        }
        if (c == '~') {
            return -1;
        }
        return c + 256;
    }

    private static int part(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() || j < b.length()) {
            while ((i < a.length() && !Character.isDigit(a.charAt(i))) || (j < b.length() && !Character.isDigit(b.charAt(j)))) {
                int ac = i < a.length() && !Character.isDigit(a.charAt(i)) ? order(a.charAt(i)) : 0;
                int bc = j < b.length() && !Character.isDigit(b.charAt(j)) ? order(b.charAt(j)) : 0;
                if (ac != bc) {
                    return Integer.compare(ac, bc);
                }
                if (i < a.length() && !Character.isDigit(a.charAt(i))) {
                    i++;
                }
                if (j < b.length() && !Character.isDigit(b.charAt(j))) {
                    j++;
                }
            }
            long an = 0;
            long bn = 0;
            while (i < a.length() && Character.isDigit(a.charAt(i))) {
                an = an * 10 + (a.charAt(i++) - '0');
            }
            while (j < b.length() && Character.isDigit(b.charAt(j))) {
                bn = bn * 10 + (b.charAt(j++) - '0');
            }
            if (an != bn) {
                return Long.compare(an, bn);
            }
        }
        return 0;
    }
}
