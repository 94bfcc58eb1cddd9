/* kval-agent command line. */
#include "kval.h"
#include <string.h>
#include <stdlib.h>
#include <signal.h>

extern int opt_timeout, opt_repeat;
extern const char *opt_exclude;
extern int race_iterations, race_seed_set;
extern const char *opt_start;
int start_known(void);
extern u64 race_seed;
extern const char *race_inject;
int run_suites(const char *suite_list, const char *glob, int list_only);

static void usage(void)
{
	printf("usage: kval-agent [options]\n"
	       "  --list [--json]   print every leaf id (one per line; --json: objects with case, suite, needs) and exit\n"
	       "  --expectations    print the kernel-dependent expectations table (key, from, to, value, provenance)\n"
	       "  --suite a,b       run only these suites (api,guest,hugepage,poison,conversions,migration,perf,race)\n"
	       "  --case GLOB       run only cases whose case id or any leaf id matches (fnmatch)\n"
	       "  --exclude GLOBS   leave out cases whose case id matches one of these comma-separated globs\n"
	       "  --repeat N        emit each selected case N times (own case block each)\n"
	       "  --timeout S       per-case timeout in seconds for every case (default: 30 or the case's own)\n"
	       "  --start CASE      leave out the selected cases before CASE (resume a run in a fresh boot)\n"
	       "  --iterations N    race suite: iterations per thread (rounds in round mode), default 200\n"
	       "  --seed S          race suite: seed of every thread's choices (default: from the clock; printed)\n"
	       "  --race-inject F   race suite, for tests of its oracle only: break the check's own side so an invariant must\n"
	       "                    FAIL (poison_lost, skip_punch, shared_view, leak_fd; comma separated; printed in the KTAP)\n"
	       "  --guest-cpl 0|3   privilege level of guest test code (default: 3 on PVM hosts, else 0)\n"
	       "  --caps --json     print one JSON object with the host's KVM/guest_memfd capabilities\n"
	       "  --help            this text\n"
	       "Output: KTAP version 1 on stdout (suites > cases > assertion leaves).\n"
	       "Exit status: 0 when no 'not ok' was printed, 1 otherwise, 2 on usage errors.\n");
}

int main(int argc, char **argv)
{
	const char *suite_list = NULL, *glob = NULL;
	int list = 0, caps = 0, json = 0, cpl = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--list")) {
			list = 1;
		} else if (!strcmp(a, "--caps")) {
			caps = 1;
		} else if (!strcmp(a, "--expectations")) {
			expect_print();
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage();
			return 0;
		} else if (v && !strcmp(a, "--suite")) {
			suite_list = v, i++;
		} else if (v && !strcmp(a, "--exclude")) {
			opt_exclude = v, i++;
		} else if (v && !strcmp(a, "--case")) {
			glob = v, i++;
		} else if (v && !strcmp(a, "--repeat")) {
			opt_repeat = atoi(v), i++;
			if (opt_repeat < 1)
				opt_repeat = 1;
		} else if (v && !strcmp(a, "--timeout")) {
			opt_timeout = atoi(v), i++;
		} else if (v && !strcmp(a, "--start")) {
			opt_start = v, i++;
		} else if (v && !strcmp(a, "--iterations")) {
			race_iterations = atoi(v), i++;
		} else if (v && !strcmp(a, "--seed")) {
			race_seed = strtoull(v, NULL, 0), race_seed_set = 1, i++;
		} else if (v && !strcmp(a, "--race-inject")) {
			race_inject = v, i++;
		} else if (v && !strcmp(a, "--guest-cpl")) {
			cpl = atoi(v), i++;
		} else {
			fprintf(stderr, "kval-agent: unknown or incomplete option %s\n", a);
			usage();
			return 2;
		}
	}
	if (suite_list) {
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", suite_list);
		for (char *s, *t = strtok_r(buf, ",", &s); t; t = strtok_r(NULL, ",", &s)) {
			int ok = 0;
			for (int j = 0; j < nsuites; j++)
				ok |= !strcmp(suites[j].name, t);
			if (!ok) {
				fprintf(stderr, "kval-agent: unknown suite '%s'\n", t);
				return 2;
			}
		}
	}
	if (!start_known()) {
		fprintf(stderr, "kval-agent: --start %s: no such case (see --list)\n", opt_start);
		return 2;
	}
	if (list)
		return run_suites(suite_list, glob, json ? 2 : 1);
	signal(SIGPIPE, SIG_IGN);
	caps_probe();
	if (cpl == 0 || cpl == 3)
		C.guest_cpl = cpl;
	if (caps) {
		(void)json;
		caps_print_json();
		return 0;
	}
	return run_suites(suite_list, glob, 0);
}
