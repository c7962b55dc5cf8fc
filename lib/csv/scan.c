/*
 * scan.c - the reference automaton's scans and the choice of kernel
 * (see scan.h). The kernels themselves are scan_c.c, scan_sse2.c,
 * scan_avx2.c and scan_neon.c; config.h says which this build has.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "csv/scan.h"

size_t
pf_scan_ref_cut(char delim, const char *buf, size_t i, size_t len,
    enum pf_scan_state *state, size_t cut)
{
	enum pf_scan_state s = *state;

	for (; i < len; i++) {
		s = pf_scan_step(s, buf[i], delim);
		if (buf[i] == '\n' && s == PF_SCAN_START)
			cut = i + 1;
	}
	*state = s;
	return cut;
}

enum pf_scan_state
pf_scan_state_at(char delim, const char *buf, size_t i, bool inside,
    enum pf_scan_state first)
{
	if (i == 0)
		return first;
	if (inside)
		return PF_SCAN_QUOTED;
	if (buf[i - 1] == '"')		/* parity even: it closed a field */
		return PF_SCAN_CLOSED;
	return buf[i - 1] == delim || buf[i - 1] == '\n' ? PF_SCAN_START :
	    PF_SCAN_UNQUOTED;
}

/*
 * The reference as a kernel, "ref": byte-wise classification and cuts,
 * and a split that sends every record to the reference splitter; for
 * tests that check the kernels through the tools (PFLOW_KERNEL=ref).
 */
static void
ref_classify(const char *p, const struct pf_scan_chars *c,
    struct pf_scan_bits *b)
{
	unsigned i;

	b->quote = b->delim = b->lf = 0;
	for (i = 0; i < 64; i++) {
		b->quote |= (uint64_t)(p[i] == c->special) << i;
		b->delim |= (uint64_t)(p[i] == c->delim) << i;
		b->lf |= (uint64_t)(p[i] == '\n') << i;
	}
}

static uint64_t
ref_prefix_xor(uint64_t x)
{
	uint64_t r = 0, odd = 0;
	unsigned i;

	for (i = 0; i < 64; i++) {
		odd ^= x >> i & 1;
		r |= odd << i;
	}
	return r;
}

static size_t
ref_cut(char delim, const char *buf, size_t len, enum pf_scan_state *state)
{
	return pf_scan_ref_cut(delim, buf, 0, len, state, 0);
}

static const char *
ref_split(struct pf_splitter *sp, const struct pf_scan_chars *c,
    const char *start, const char *end, struct pf_record *rec,
    size_t *lines)
{
	(void)sp, (void)c, (void)start, (void)end, (void)rec, (void)lines;
	return NULL;
}

const struct pf_scan_kernel pf_scan_kernel_ref = {
	"ref", ref_classify, ref_prefix_xor, ref_cut, ref_split, NULL,
};

/* Whether the CPU runs kernel k (x86 asks the CPU; aarch64 has NEON). */
static bool
cpu_runs(const struct pf_scan_kernel *k)
{
	(void)k;
#ifdef PF_KERNEL_SSE2
	if (k == &pf_scan_kernel_sse2)
#if PF_HAVE_BUILTIN_CPU_SUPPORTS
		return __builtin_cpu_supports("sse2");
#elif defined(__x86_64__)
		return true;		/* part of x86-64 */
#else
		return false;		/* no way to ask: not risked */
#endif
#endif
#ifdef PF_KERNEL_AVX2
	if (k == &pf_scan_kernel_avx2)
#if PF_HAVE_BUILTIN_CPU_SUPPORTS
		return __builtin_cpu_supports("avx2") &&
		    __builtin_cpu_supports("pclmul") &&
		    __builtin_cpu_supports("popcnt");
#else
		return false;
#endif
#endif
	return true;
}

/* Every kernel built, worst first. */
static const struct pf_scan_kernel *const built[] = {
	&pf_scan_kernel_ref,
	&pf_scan_kernel_c,
#ifdef PF_KERNEL_SSE2
	&pf_scan_kernel_sse2,
#endif
#ifdef PF_KERNEL_AVX2
	&pf_scan_kernel_avx2,
#endif
#ifdef PF_KERNEL_NEON
	&pf_scan_kernel_neon,
#endif
};

const struct pf_scan_kernel *
pf_scan_kernel_at(size_t i)
{
	size_t j;

	for (j = 0; j < sizeof(built) / sizeof(built[0]); j++)
		if (cpu_runs(built[j]) && i-- == 0)
			return built[j];
	return NULL;
}

const struct pf_scan_kernel *
pf_scan_kernel_find(const char *name)
{
	const struct pf_scan_kernel *k;
	size_t i;

	for (i = 0; (k = pf_scan_kernel_at(i)) != NULL; i++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

/* The kernel PFLOW_KERNEL names, else the best available. */
static const struct pf_scan_kernel *
choose(void)
{
	const struct pf_scan_kernel *k, *best = &pf_scan_kernel_c;
	const char *name = getenv("PFLOW_KERNEL");
	char have[64] = "";
	size_t i;

	for (i = 0; (k = pf_scan_kernel_at(i)) != NULL; i++) {
		best = k;
		if (name != NULL && strcmp(k->name, name) == 0)
			return k;
		if (strlen(have) + strlen(k->name) + 3 < sizeof(have)) {
			if (i > 0)
				strcat(have, ", ");
			strcat(have, k->name);
		}
	}
	if (name != NULL && name[0] != '\0')
		errx(2, "PFLOW_KERNEL=%s: no such CSV kernel on this machine "
		    "(have: %s)", name, have);
	return best;
}

/* Set once; every thread that races to set it sets the same value. */
const struct pf_scan_kernel *pf_scan_in_use;

const struct pf_scan_kernel *
pf_scan_kernel_choose(void)
{
	const struct pf_scan_kernel *k = choose();

	__atomic_store_n(&pf_scan_in_use, k, __ATOMIC_RELEASE);
	return k;
}

void
pf_scan_kernel_use(const struct pf_scan_kernel *k)
{
	__atomic_store_n(&pf_scan_in_use, k, __ATOMIC_RELEASE);
}
