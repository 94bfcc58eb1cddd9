package dev.kval.host;

/** {@code local}, {@code qemu}, {@code ssh:<inventory name>} or {@code lava:<device type>} (a batch host in a LAVA lab). */
public record HostSpec(Kind kind, String name) {
    public enum Kind {
        LOCAL, QEMU, SSH, LAVA;

        /** The lower-case name reports and progress lines use: local, qemu, ssh, lava. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static HostSpec parse(String s) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException("empty host spec (expected local, qemu, ssh:<name> or lava:<device type>)");
        }
        String t = s.strip();
        if (t.equals("local")) {
            return new HostSpec(Kind.LOCAL, "local");
        }
        if (t.equals("qemu")) {
            return new HostSpec(Kind.QEMU, "qemu");
        }
        if (t.startsWith("ssh:") && t.length() > 4 && t.substring(4).matches("[A-Za-z0-9._-]+")) {
            return new HostSpec(Kind.SSH, t.substring(4));
        }
        if (t.startsWith("lava:") && t.length() > 5 && t.substring(5).matches("[A-Za-z0-9._-]+")) {
            return new HostSpec(Kind.LAVA, t.substring(5));
        }
        throw new IllegalArgumentException("bad host spec '" + s + "' (expected local, qemu, ssh:<name> or lava:<device type>)");
    }

    @Override
    public String toString() {
        return switch (kind) {
            case SSH -> "ssh:" + name;
            case LAVA -> "lava:" + name;
            default -> name;
        };
    }
}
