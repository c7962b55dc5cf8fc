/*
 * scan.h - the CSV grammar, once: a byte-wise reference automaton and
 * per-CPU kernels that read the same grammar 64 bytes at a time.
 *
 * The grammar (chunk.h has it in prose): a record ends at an LF outside
 * quotes; a quote opens a quoted field only at the start of a field
 * (after a delimiter, an LF or the start of the record), so that x"y is
 * data; inside a quoted field "" is a quote and the next lone quote
 * closes it. pf_scan_step() is that grammar as an automaton: the
 * reference every kernel must agree with (tests/unit/test_scan.c,
 * tests/fuzz/fuzz_kernels.c).
 *
 * A kernel classifies 64 bytes at once into bit masks (bit i for byte i)
 * of quotes, delimiters and LFs; the in-quote mask is the prefix XOR of
 * the quote bits (carry-less multiply where the CPU has one). That is
 * right as long as every quote parity takes for an opening one follows a
 * delimiter, an LF or another quote, and every closing one is followed
 * by a delimiter, an LF, a quote or CRLF: well-formed CSV always is. A
 * block or record that breaks the rule goes to the reference automaton.
 * The grammar over the masks is written once (scan_body.h) and compiled
 * into each kernel with that kernel's instructions (scan_c.c,
 * scan_sse2.c, scan_avx2.c, scan_neon.c): batch cuts for chunk.c and
 * the record splitter's fast path for record.c.
 *
 * The kernel is chosen once, at first use: the one PFLOW_KERNEL names
 * (c, sse2, avx2, neon, or ref: the reference alone; an unknown or
 * unavailable name is a fatal usage error), else the best this CPU runs (avx2 > sse2 > c on x86, checked
 * with __builtin_cpu_supports; neon on aarch64; c elsewhere and in a
 * -Dsimd=disabled build).
 */
#ifndef PF_SCAN_H
#define PF_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csv/chunk.h"
#include "csv/record.h"

/* The reference automaton: the state after byte c (CSV only). */
static inline enum pf_scan_state
pf_scan_step(enum pf_scan_state s, char c, char delim)
{
	if (s == PF_SCAN_QUOTED)
		return c == '"' ? PF_SCAN_CLOSED : PF_SCAN_QUOTED;
	if (c == '"' && s != PF_SCAN_UNQUOTED)	/* opens, or "" */
		return PF_SCAN_QUOTED;
	return c == delim || c == '\n' ? PF_SCAN_START : PF_SCAN_UNQUOTED;
}

/*
 * The reference batch scan of CSV buf[i..len), byte by byte, from state
 * *state (updated); cut is the last boundary found before i. Returns the
 * end of the last LF outside quotes in buf (a record boundary), or cut.
 */
size_t pf_scan_ref_cut(char delim, const char *buf, size_t i, size_t len,
    enum pf_scan_state *state, size_t cut);

/*
 * The state before buf[i] in a scan that began at buf[0] in state first,
 * where parity and the automaton agree up to i (inside: parity odd).
 */
enum pf_scan_state pf_scan_state_at(char delim, const char *buf, size_t i,
    bool inside, enum pf_scan_state first);

/*
 * The reference splitter (record.c): pf_split_next() with every record
 * read by the automaton, byte by byte (PFLOW_KERNEL=ref does the same).
 */
const char *pf_split_reference(struct pf_splitter *sp,
    const struct pf_dialect *d, const char *p, const char *end,
    struct pf_record *rec, size_t *lines, enum pf_split_status *status);

/* Makes room for need fields in sp (record.c). */
void pf_splitter_grow(struct pf_splitter *sp, size_t need);

/* Bit i of the result: whether bits 0..i of x hold an odd count. */
static inline uint64_t
pf_scan_prefix_xor(uint64_t x)
{
	x ^= x << 1;
	x ^= x << 2;
	x ^= x << 4;
	x ^= x << 8;
	x ^= x << 16;
	x ^= x << 32;
	return x;
}

/* Bits of 64 bytes: bit i stands for byte i. */
struct pf_scan_bits {
	uint64_t	quote;		/* the special byte (CSV: '"') */
	uint64_t	delim;
	uint64_t	lf;
};

/* What the splitter's fast path looks for in one dialect. */
struct pf_scan_chars {
	char	delim;		/* the delimiter, or '\n' when there is none */
	char	special;	/* CSV '"', TSV '\\', else '\n' (none) */
	bool	quoting;	/* CSV: special opens quoted fields; else a
				   record holding special is left to the
				   reference splitter */
	bool	empty_lines;	/* --lines: an empty line is a record
				   (CSV and TSV skip it) */
};

/* What the fast path looks for in dialect d (CSV, TSV or --lines). */
static inline struct pf_scan_chars
pf_scan_chars_for(const struct pf_dialect *d)
{
	struct pf_scan_chars c;

	c.delim = d->delim != '\0' ? d->delim : '\n';
	c.special = d->format == PF_CSV ? '"' :
	    d->format == PF_TSV && d->delim != '\\' ? '\\' : '\n';
	c.quoting = d->format == PF_CSV;
	c.empty_lines = d->format == PF_LINES;
	return c;
}

/*
 * A run: the records a kernel split at once (split_run below), handed
 * out one by one by pf_split_next() (split_run.c). A record's fields are
 * fields[first .. first + nfields).
 */
#define PF_RUN_RECORDS	256

struct pf_run_record {
	const char	*raw;
	size_t		 raw_len;
	size_t		 first;
	size_t		 field_count;	/* as in struct pf_record; nfields
					   is it or the run's want */
	const char	*lf;		/* its LF, or the sentinel at end */
};

struct pf_split_run {
	struct pf_run_record rec[PF_RUN_RECORDS];
	size_t		 n, i;		/* records held; the next to hand out */
	struct pf_field	*fields;
	size_t		 cap;
	/* What the records hold good for: the next call's p and end, the
	   dialect and the fields wanted (0: all) when they were split. */
	const char	*expect, *end;
	const struct pf_dialect *dialect;
	size_t		 want, max;	/* max: want, or SIZE_MAX for all */
	unsigned	 backoff;	/* calls to leave to split() after a
					   run that split nothing */
};

/* Makes room for need fields in r (split_run.c). */
void pf_split_run_grow(struct pf_split_run *r, size_t need);

struct pf_scan_kernel {
	const char *name;		/* "c", "sse2", "avx2", "neon" */
	/* Classifies the 64 bytes at p (all readable) against c. */
	void	(*classify)(const char *p, const struct pf_scan_chars *c,
		    struct pf_scan_bits *b);
	/* Bit i of the result: whether bits 0..i of x hold an odd count. */
	uint64_t (*prefix_xor)(uint64_t x);
	/*
	 * pf_chunk_scan() for a CSV block that holds a quote: returns the
	 * end of its last LF outside quotes (or 0) and updates *state.
	 */
	size_t	(*cut)(char delim, const char *buf, size_t len,
		    enum pf_scan_state *state);
	/*
	 * The splitter's fast path (record.c's contract for
	 * pf_split_next(), with empty lines already skipped, so start <
	 * end): splits a well-formed record, quoted fields included, into
	 * sp's fields (up to sp->want, all counted) and returns the
	 * position after its terminator. Returns NULL, having changed
	 * nothing lasting but sp's buffers, for a record the masks cannot
	 * read alone (a quote out of place, a quote open at end, a TSV
	 * escape): the reference splitter takes those. Needs 64 readable
	 * bytes from end on (PF_SPLIT_PAD).
	 */
	const char *(*split)(struct pf_splitter *sp,
		    const struct pf_scan_chars *c, const char *start,
		    const char *end, struct pf_record *rec, size_t *lines);
	/*
	 * Splits the records from start on at once into r (r->rec, from
	 * 0, and r->fields, up to want fields each, 0 for all; the rest
	 * are counted), as split() would one by one, stopping before the
	 * first that holds a special byte, or that starts with CR or LF
	 * unless c->empty_lines, after the one that ends at end, or when r
	 * is full. Returns how many it split (0: leave this one to
	 * split()). NULL in "ref". Needs what split() needs.
	 */
	size_t	(*split_run)(struct pf_split_run *r,
		    const struct pf_scan_chars *c, size_t want,
		    const char *start, const char *end);
};

/* The kernel in use (see above): pf_scan_in_use, once chosen. */
extern const struct pf_scan_kernel *pf_scan_in_use;
const struct pf_scan_kernel *pf_scan_kernel_choose(void);

static inline const struct pf_scan_kernel *
pf_scan_kernel(void)
{
	const struct pf_scan_kernel *k = __atomic_load_n(&pf_scan_in_use,
	    __ATOMIC_ACQUIRE);

	return k != NULL ? k : pf_scan_kernel_choose();
}

/*
 * The kernels this build has and this CPU runs, best last, "ref" (the
 * reference, for tests) and "c" first: the i-th, or NULL past the end.
 */
const struct pf_scan_kernel *pf_scan_kernel_at(size_t i);

/* The available kernel called name, or NULL. */
const struct pf_scan_kernel *pf_scan_kernel_find(const char *name);

/*
 * Makes k the kernel in use (tests, before any thread runs; NULL goes
 * back to choosing).
 */
void pf_scan_kernel_use(const struct pf_scan_kernel *k);

/* The kernels each file defines (scan_X.c), where the build has them. */
extern const struct pf_scan_kernel pf_scan_kernel_ref;	/* scan.c */
extern const struct pf_scan_kernel pf_scan_kernel_c;
extern const struct pf_scan_kernel pf_scan_kernel_sse2;
extern const struct pf_scan_kernel pf_scan_kernel_avx2;
extern const struct pf_scan_kernel pf_scan_kernel_neon;

#endif
