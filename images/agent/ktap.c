/* KTAP v1 emitter for the leaves of one case (runs in the forked child).
 * The child prints a case document at column 0; the parent re-indents it.
 * Leaf numbers come from the case's static leaf table, so the plan and --list
 * always agree; leaves must be emitted in table order. */
#include "kval.h"
#include <string.h>
#include <stdlib.h>

static const struct kcase *cur;
int ktap_noflip;		/* set by leaf_xfail, which applies KVAL_EXPECT_FLIP itself */
static int next_leaf;		/* index of the next leaf to emit */
static char suite_prefix[64];

int leaf_count(const struct kcase *kc)
{
	int n = 0;
	while (n < MAXLEAVES && kc->leaves[n])
		n++;
	return n;
}

/* fully qualified leaf id: "<suite>.<suffix>" (the suffix carries the spec id) */
const char *leaf_name(const struct kcase *kc, int i)
{
	static char buf[256];
	const char *dot = strchr(kc->name, '.');
	int sl = dot ? (int)(dot - kc->name) : (int)strlen(kc->name);
	snprintf(buf, sizeof(buf), "%.*s.%s", sl, kc->name, kc->leaves[i]);
	return buf;
}

void ktap_case_begin(const struct kcase *kc)
{
	cur = kc;
	next_leaf = 0;
	snprintf(suite_prefix, sizeof(suite_prefix), "%s", kc->name);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("KTAP version 1\n1..%d\n", leaf_count(kc));
}

static void sanitize(char *s)
{
	for (; *s; s++)
		if (*s == '#' || *s == '\n' || *s == '\r')
			*s = (*s == '#') ? '%' : ' ';
}

void diag(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	printf("# %s\n", buf);
	fflush(stdout);
}

static char pending_obs[512];

void observed(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pending_obs, sizeof(pending_obs), fmt, ap);
	va_end(ap);
	for (char *p = pending_obs; *p; p++)
		if (*p == '\n' || *p == ' ')
			*p = '_';
}

/* api_matrix.c runs a case once per VM type and flag set: while set, leaf "C13.x" is looked up as "C13<variant>.x" */
const char *leaf_variant;
const struct kcase *ktap_current(void) { return cur; }

static int find_leaf(const char *what)
{
	char b[192];
	const char *dot = leaf_variant ? strchr(what, '.') : NULL;
	if (dot) {
		snprintf(b, sizeof(b), "%.*s%s%s", (int)(dot - what), what, leaf_variant, dot);
		what = b;
	}
	int n = leaf_count(cur);
	for (int i = 0; i < n; i++)
		if (!strcmp(cur->leaves[i], what))
			return i;
	return -1;
}

static void emit(int idx, enum res r, const char *reason)
{
	char rs[512];
	snprintf(rs, sizeof(rs), "%s", reason ? reason : "");
	sanitize(rs);
	if (pending_obs[0]) {
		printf("# observed=%s\n", pending_obs);
		pending_obs[0] = 0;
	}
	const char *name = leaf_name(cur, idx);
	switch (r) {
	case R_PASS:
		printf("ok %d %s%s%s\n", idx + 1, name, rs[0] ? " # " : "", rs);
		break;
	case R_FAIL:
		printf("not ok %d %s\n", idx + 1, name);
		break;
	case R_SKIP:
		printf("ok %d %s # SKIP %s\n", idx + 1, name, rs);
		break;
	case R_XFAIL:
		printf("ok %d %s # XFAIL %s\n", idx + 1, name, rs);
		break;
	case R_ERROR:
		printf("not ok %d %s # ERROR %s\n", idx + 1, name, rs);
		break;
	}
	fflush(stdout);
}

static void vleaf(const char *what, enum res r, const char *fmt, va_list ap)
{
	char reason[512] = "";
	if (fmt)
		vsnprintf(reason, sizeof(reason), fmt, ap);
	int idx = find_leaf(what);
	if (idx < 0) {
		diag("agent bug: leaf '%s' is not in the table of %s", what, cur->name);
		return;
	}
	if (idx < next_leaf) {
		diag("agent bug: leaf '%s' emitted twice or out of order", what);
		return;
	}
	while (next_leaf < idx)
		emit(next_leaf++, R_ERROR, "agent bug: leaf not reached");
	if ((r == R_PASS || r == R_FAIL) && !ktap_noflip && expect_flipped(leaf_name(cur, idx))) {
		diag("KVAL_EXPECT_FLIP: expectation inverted for this leaf (negative control)");
		r = r == R_PASS ? R_FAIL : R_PASS;
		if (r == R_FAIL && !reason[0])
			snprintf(reason, sizeof(reason), "the kernel gave the expected answer; KVAL_EXPECT_FLIP inverted it");
	}
	if (r == R_FAIL && reason[0])
		diag("%s", reason);
	emit(idx, r, r == R_FAIL ? NULL : reason);
	next_leaf = idx + 1;
}

void leaf(const char *what, enum res r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vleaf(what, r, fmt, ap);
	va_end(ap);
}

/* pass iff cond; fmt (when given) is printed as a diagnostic on failure */
void leaf_ok(const char *what, int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vleaf(what, cond ? R_PASS : R_FAIL, cond ? NULL : fmt, ap);
	va_end(ap);
}

/* rc/err from a syscall; expect = 0 means success expected, else that errno */
void leaf_errno(const char *what, long rc, int err, int expect)
{
	int got = rc < 0 ? err : 0;
	observed("%s", got ? errname(got) : "OK");
	diag("expected %s, got rc=%ld %s", expect ? errname(expect) : "OK", rc, got ? errname(got) : "");
	leaf_ok(what, got == expect, NULL);
}

static void rest(enum res r, const char *fmt, va_list ap)
{
	char reason[512];
	vsnprintf(reason, sizeof(reason), fmt, ap);
	int n = leaf_count(cur);
	pending_obs[0] = 0;
	while (next_leaf < n)
		emit(next_leaf++, r, reason);
}

void skip_rest(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	rest(R_SKIP, fmt, ap);
	va_end(ap);
}

void error_rest(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	rest(R_ERROR, fmt, ap);
	va_end(ap);
}

void ktap_case_end(void)
{
	if (next_leaf < leaf_count(cur))
		error_rest("agent bug: case returned without emitting this leaf");
	fflush(stdout);
}

const char *errname(int e)
{
	static const struct { int e; const char *n; } t[] = {
		{0, "OK"}, {EPERM, "EPERM"}, {ENOENT, "ENOENT"}, {EINTR, "EINTR"}, {EIO, "EIO"},
		{E2BIG, "E2BIG"}, {EBADF, "EBADF"}, {EAGAIN, "EAGAIN"}, {ENOMEM, "ENOMEM"},
		{EACCES, "EACCES"}, {EFAULT, "EFAULT"}, {EBUSY, "EBUSY"}, {EEXIST, "EEXIST"},
		{ENODEV, "ENODEV"}, {EINVAL, "EINVAL"}, {EMFILE, "EMFILE"}, {ENOTTY, "ENOTTY"},
		{EFBIG, "EFBIG"}, {ENOSPC, "ENOSPC"}, {ESPIPE, "ESPIPE"}, {EROFS, "EROFS"},
		{ERANGE, "ERANGE"}, {ENOSYS, "ENOSYS"}, {EOPNOTSUPP, "EOPNOTSUPP"},
		{ENXIO, "ENXIO"}, {EHWPOISON, "EHWPOISON"}, {ETIMEDOUT, "ETIMEDOUT"}, {EOVERFLOW, "EOVERFLOW"},
		{EISDIR, "EISDIR"}, {ETXTBSY, "ETXTBSY"},
	};
	static char buf[32];
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (t[i].e == e)
			return t[i].n;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}
