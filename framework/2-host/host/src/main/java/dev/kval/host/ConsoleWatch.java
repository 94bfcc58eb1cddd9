package dev.kval.host;

import java.util.List;

/** Watches a console line by line for kernel crashes (fed by the QEMU console reader). */
public interface ConsoleWatch {
    void feed(String line);

    /** The kernel panicked (the machine is gone). */
    boolean panicked();

    /** Any crash finding (panic, oops, BUG, warning splat...). */
    boolean crashed();

    /** The splat(s): lines of every finding, for attribution evidence. */
    List<String> evidence();

    /** One line per finding, e.g. "panic: Kernel panic - not syncing: ...". */
    List<String> findings();
}
