package dev.kval.host;

/** Who a failure is attributed to: the kernel under test (panic/oops evidence) or the test infrastructure. */
public enum Attribution {
    KERNEL, INFRASTRUCTURE
}
