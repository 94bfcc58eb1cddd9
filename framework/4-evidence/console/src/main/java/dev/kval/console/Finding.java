package dev.kval.console;

/**
 * One crash report found in console text.
 *
 * @param crashClass one of {@link CrashOracle#CLASSES}
 * @param title      syzbot-style title, e.g. "WARNING in kvm_mmu_page_fault"
 * @param firstLine  1-based line of the report's first line (the one that names it)
 * @param lastLine   1-based line of the report's last line (inclusive)
 */
public record Finding(String crashClass, String title, int firstLine, int lastLine) {
}
