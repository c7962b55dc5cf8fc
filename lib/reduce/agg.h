/*
 * agg.h - preduce's aggregation functions: parsing AGG arguments, and
 * each function's state: update from a value, merge with another state,
 * final value, and the text of its partial (mergeable) form.
 *
 * STATES
 * Every function but distinct, mode and the quantiles keeps a small
 * fixed-size state inside the group's state block (pf_agg_state_size).
 * Those three keep their values in a pf_values table (table.h) instead:
 * value bytes -> count and first-seen order; the final value is computed
 * from the group's entries.
 *
 * EXACT NUMBERS
 * sum, mean, var and stdev add the values as written, exactly, in
 * pf_dec accumulators (decimal.h): the results are the doubles nearest
 * to the exact sum, mean and sample variance, whatever the order of the
 * additions (hence the same for every -j, --chunk and --merge order).
 * min and max compare numbers exactly (pf_number_cmp_text: 64-bit
 * integers and long decimals too) and keep the chosen value's text, so
 * they write it as it was written.
 *
 * ORDERS
 * first, last and mode's ties compare record orders (pf_record.order),
 * which increase with input position; merging two states keeps the
 * lowest (first) or highest (last) order, so the result is the same
 * however the records were shared among workers.
 */
#ifndef PF_AGG_H
#define PF_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "support/buf.h"
#include "support/decimal.h"
#include "support/number.h"
#include "support/table.h"

enum pf_agg_func {
	PF_AGG_COUNT, PF_AGG_SUM, PF_AGG_MEAN, PF_AGG_MIN, PF_AGG_MAX,
	PF_AGG_FIRST, PF_AGG_LAST, PF_AGG_DISTINCT, PF_AGG_STDEV, PF_AGG_VAR,
	PF_AGG_MEDIAN, PF_AGG_PERCENTILE, PF_AGG_MODE
};

/* "count, sum, mean, ...": the function names, for messages. */
extern const char pf_agg_func_list[];

#define PF_AGG_FUNCNAME_MAX	16

struct pf_agg {
	enum pf_agg_func func;
	uint64_t	 q_num, q_den;	/* median, pN: the quantile, (0, 1] */
	char		 funcname[PF_AGG_FUNCNAME_MAX]; /* "sum", "p99.9" */
	char		*field;		/* NULL for plain `count` */
	char		*name;		/* output column */
	long		 index;		/* field's index, -1 for plain `count` */
	size_t		 offset;	/* of the state in the group's block */
	int		 vindex;	/* index among value aggregations, or -1 */
};

/*
 * Parses "count" or "FUNC:FIELD[:NAME]" into *a (strings malloc'd).
 * Returns false with a message in err for an unknown function or a
 * malformed argument.
 */
bool pf_agg_parse(const char *arg, struct pf_agg *a, char *err,
    size_t errlen);
void pf_agg_free(struct pf_agg *a);
/*
 * The end of a FIELD in "FIELD[:...]": the next ':', or the end; a
 * braced field ("{a:b}") ends at a '}' followed by ':' or the end.
 */
const char *pf_agg_field_end(const char *field);
/*
 * Looks a function up by name ("sum", "p99.9"): sets a's func, q and
 * funcname; returns false if there is none.
 */
bool pf_agg_func_find(const char *s, size_t len, struct pf_agg *a);

/* Functions that need a number (others take any text). */
bool pf_agg_numeric(enum pf_agg_func f);
/* Functions whose values live in a pf_values table. */
bool pf_agg_uses_values(enum pf_agg_func f);
/* median and pN. */
bool pf_agg_is_quantile(enum pf_agg_func f);
/* Bytes of a function's state in the group block (0: pf_values). */
size_t pf_agg_state_size(enum pf_agg_func f);

/*
 * Folds one non-empty value into a fixed-size state. num is the value
 * parsed as a number, or NULL when it is not one (numeric functions are
 * only called with numbers). Strings are copied into arena.
 */
void pf_agg_update(const struct pf_agg *a, unsigned char *state,
    const char *s, size_t len, const struct pf_number *num, uint64_t order,
    struct pf_arena *arena);
/*
 * pf_agg_update() for one function, without the dispatch on it, for the
 * fold's loop to look up once; NULL for the value aggregations.
 */
typedef void pf_agg_update_fn(unsigned char *state, const char *s,
    size_t len, const struct pf_number *num, uint64_t order,
    struct pf_arena *arena);
pf_agg_update_fn *pf_agg_updater(enum pf_agg_func f);

/*
 * pf_agg_update() with a value seen n >= 1 times at order (the lowest):
 * the same state as n calls, exact sums by doubling (log n additions).
 * For the column summary, which folds each distinct value once.
 */
void pf_agg_update_times(const struct pf_agg *a, unsigned char *state,
    const char *s, size_t len, const struct pf_number *num, uint64_t n,
    uint64_t order, struct pf_arena *arena);

/* Folds a whole record into a plain `count`, whose state is a uint64_t. */
static inline void
pf_agg_count_record(unsigned char *state)
{
	uint64_t n;

	memcpy(&n, state, sizeof(n));
	n++;
	memcpy(state, &n, sizeof(n));
}

/* Merges state src into dst (same function); strings go to arena. */
void pf_agg_merge(const struct pf_agg *a, unsigned char *dst,
    const unsigned char *src, struct pf_arena *arena);

/*
 * Appends the final value of a fixed-size state to out; *is_number tells
 * whether it is a number (for JSON). An empty result appends nothing.
 */
void pf_agg_result(const struct pf_agg *a, const unsigned char *state,
    struct pf_buf *out, bool *is_number);

/* The partial columns of a function: "n", "sum", ... (NULL-terminated). */
const char *const *pf_agg_parts(enum pf_agg_func f);
/* Appends partial column i (see pf_agg_parts) of a fixed-size state. */
void pf_agg_encode(const struct pf_agg *a, const unsigned char *state,
    size_t part, struct pf_buf *out);
/*
 * Fills a zeroed state from its partial columns fields[0..nparts) read
 * at order; strings point into the fields, exact sums that need room
 * take it from arena. Returns false if malformed.
 */
bool pf_agg_decode(const struct pf_agg *a, unsigned char *state,
    const char *const *fields, const size_t *lens, uint64_t order,
    struct pf_arena *arena);

/* Appends a computed number; non-finite ones too (JSON writes null). */
void pf_agg_add_number(struct pf_buf *out, double d, bool *is_number);

/*
 * Value aggregations. entries[0..n) are one group's entries of a
 * distinct, mode or quantile aggregation; the result and encode
 * functions sort them (quantiles by value, others by first sighting).
 * Quantile entries hold the value as pf_agg_quantile_key() writes it.
 */
void pf_agg_values_result(const struct pf_agg *a,
    struct pf_value_entry **entries, size_t n, struct pf_buf *out,
    bool *is_number);
void pf_agg_values_encode(const struct pf_agg *a,
    struct pf_value_entry **entries, size_t n, struct pf_buf *out);

/*
 * Decodes a partial value list, calling add(ctx, bytes, len, count, i)
 * for each item i. Returns false if it is malformed.
 */
bool pf_agg_values_decode(const struct pf_agg *a, const char *s, size_t len,
    void (*add)(void *ctx, const void *bytes, size_t len, uint64_t count,
    size_t i), void *ctx);

/*
 * The key of a quantile's value entry for the number written in s (num:
 * it parsed): the 8 bytes of its double with -0 made 0, for a quick
 * order, then, unless it is an integer the double holds, the value's
 * one text (pf_dec_canonical), which decides ties and the result
 * exactly. Appended to key (emptied first).
 */
void pf_agg_quantile_key(const char *s, size_t len,
    const struct pf_number *num, struct pf_buf *key);

#endif
