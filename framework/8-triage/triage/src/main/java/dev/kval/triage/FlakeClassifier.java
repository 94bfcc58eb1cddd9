package dev.kval.triage;

/**
 * Classifies a test on a kernel for the nightly diff: on its own (stable-pass, stable-fail, flaky, no-verdict) or
 * against the previous night's kernel (regression, fixed: Fisher exact one-sided, alpha 0.05).
 */
public interface FlakeClassifier {
    /** kernel = a spec or release as stored; hostClass null = pooled over host classes. */
    Classification classify(String testId, String kernel, String hostClass);

    Classification compare(String testId, String hostClass, String baselineKernel, String candidateKernel);
}
