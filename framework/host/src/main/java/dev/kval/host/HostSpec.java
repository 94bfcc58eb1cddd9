package dev.kval.host;

/** {@code local}, {@code qemu} or {@code ssh:<inventory name>}. */
public record HostSpec(Kind kind, String name) {
    public enum Kind {
        LOCAL, QEMU, SSH
    }

    public static HostSpec parse(String s) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException("empty host spec (expected local, qemu or ssh:<name>)");
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
        throw new IllegalArgumentException("bad host spec '" + s + "' (expected local, qemu or ssh:<name>)");
    }

    @Override
    public String toString() {
        return kind == Kind.SSH ? "ssh:" + name : name;
    }
}
