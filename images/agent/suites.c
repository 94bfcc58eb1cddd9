/* Suite registry: order here is the order of execution and of --list. */
#include "kval.h"
#include <stdlib.h>
#include <string.h>

extern struct kcase api_cases[], guest_cases[], hugepage_cases[], poison_cases[], conv_cases[],
	migration_cases[], perf_cases[], race_cases[];
extern struct kcase parity_cases[], bounds_cases[], matrix_cases[];
extern int parity_ncases, bounds_ncases, matrix_ncases;
extern int api_ncases, guest_ncases, hugepage_ncases, poison_ncases, conv_ncases, migration_ncases,
	perf_ncases, race_ncases;

struct ksuite suites[8];
int nsuites = 8;

__attribute__((constructor(200))) static void suites_init(void)
{
	/* api = its own cases + upstream parity (api_parity.c) + boundary values (api_bounds.c)
	 * + its file/binding cases per VM type and flag set (api_matrix.c) */
	int na = api_ncases + parity_ncases + bounds_ncases + matrix_ncases;
	struct kcase *api = calloc(na, sizeof(*api));
	memcpy(api, api_cases, api_ncases * sizeof(*api));
	memcpy(api + api_ncases, parity_cases, parity_ncases * sizeof(*api));
	memcpy(api + api_ncases + parity_ncases, bounds_cases, bounds_ncases * sizeof(*api));
	memcpy(api + na - matrix_ncases, matrix_cases, matrix_ncases * sizeof(*api));
	struct ksuite s[] = {
		{"api", api, na},
		{"guest", guest_cases, guest_ncases},
		{"hugepage", hugepage_cases, hugepage_ncases},
		{"poison", poison_cases, poison_ncases},
		{"conversions", conv_cases, conv_ncases},
		{"migration", migration_cases, migration_ncases},
		{"perf", perf_cases, perf_ncases},
		{"race", race_cases, race_ncases},	/* opt-in: --suite race (suite_race.c) */
	};
	for (int i = 0; i < nsuites; i++)
		suites[i] = s[i];
}
