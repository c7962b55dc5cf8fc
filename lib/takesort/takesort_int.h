/*
 * takesort_int.h - what the parts of ptakesort share: the keys and how
 * records compare (sortkey.c), the top-N heaps (first.c), the whole sort
 * (wholesort.c, itemsort.c) and its temporary runs (runs.c). Not for
 * other tools.
 */
#ifndef PF_TAKESORT_INT_H
#define PF_TAKESORT_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "csv/output.h"
#include "engine/engine.h"
#include "expr/expr.h"
#include "expr/keys.h"
#include "support/table.h"
#include "takesort/takesort.h"
#include "takesort/topn.h"

/* Keys without :num or :str: each doubles the heaps a worker may keep. */
#define MAX_AUTO_KEYS	8

enum key_type { KEY_AUTO, KEY_NUM, KEY_STR };

struct key {
	char		*src;		/* the key without its suffixes */
	enum key_type	 type;
	bool		 desc;
	unsigned	 bit;		/* mask bit of an automatic key, or 0 */
	bool		 sample;	/* --sample's priority, not a field */
	long		 field;		/* >= 0: just this field */
	struct pf_expr	*expr;		/* otherwise */
};

/* The kinds of value, in the order they sort in a numeric key. */
enum { VAL_NUM, VAL_STR, VAL_EMPTY };

/* A key's value: bytes, and the number they spell when kind is VAL_NUM. */
struct val {
	const char	*s;
	size_t		 len;
	union {
		double	 d;
		int64_t	 i;		/* when is_int */
	};
	unsigned char	 kind;
	bool		 is_int;
};

/*
 * A kept record: vals[nkeys], then the raw bytes, '\n', then the key
 * texts that do not lie within the raw bytes (an expression's value).
 * Its size is a multiple of 8, so blobs can be laid end to end.
 */
struct blob {
	size_t		 raw_len;
	struct val	 vals[];
};

struct takesort;

/* One possible outcome of the automatic keys: a heap's comparator arg. */
struct variant {
	const struct takesort	*ts;
	unsigned		 strmask;
};

struct takesort {
	struct pf_tool			*tool;
	const struct pf_options		*opt;
	const struct pf_takesort_args	*args;
	size_t				 nkeys;
	struct key			*keys;
	unsigned			 nvariants;	/* 2^(automatic keys) */
	struct variant			*variants;
	atomic_uint			 strmask; /* settled by any worker */
	bool				 uses_eval;
	bool				 raw_copy;
	bool				 output_ready;
	struct pf_output		 out;
	struct pf_keys			 groups;	/* -g, or none */
	int				 status;	/* finish()'s failure */
};

/* A group's heaps, one per variant, and its first appearance. */
struct heaps {
	struct pf_topn	*heaps;			/* [nvariants] */
	uint64_t	 order;
};

struct sorter;

struct worker {
	struct takesort		*ts;
	struct pf_eval		*eval;
	unsigned		 strmask;	/* automatic keys seen as strings */
	struct val		*cand;		/* the current record's keys */
	/* top-N (first.c) */
	struct heaps		*sets;		/* one per group (one without -g) */
	size_t			 nsets, setcap;
	struct pf_arena		 arena;		/* -g: the group table's */
	struct pf_groups	 index;		/* -g: key -> set (uint32_t) */
	struct pf_buf		 gkey;		/* -g: the record's group key */
	/* whole sort (wholesort.c) */
	struct sorter		*sort;
};

/* sortkey.c: keys, their values, and the order of records */
bool	 parse_keys(struct takesort *ts);
int	 compile_keys(struct takesort *ts, const struct pf_schema *schema);
size_t	 key_fields_needed(const struct takesort *ts);
void	 free_keys(struct takesort *ts);
bool	 note_strings(struct worker *w);
bool	 hint_exact(const struct takesort *ts, const struct val *v,
	    unsigned strmask);
int	 vals_cmp(const struct takesort *ts, const struct val *a,
	    const struct val *b, unsigned strmask);
int	 blob_cmp(const void *a, const void *b, void *arg);
size_t	 blob_size(const struct worker *w, const struct pf_record *rec);
void	 blob_fill(const struct worker *w, const struct pf_record *rec,
	    struct blob *b);
void	 write_blob(struct takesort *ts, struct pf_splitter *sp,
	    struct pf_buf *scratch, const struct blob *b, struct pf_buf *out);

/* first.c: -n N, -g and --sample */
void	 first_worker_init(struct worker *w);
void	 first_worker_free(struct worker *w);
uint64_t first_record(struct worker *w, const struct pf_record *rec);
void	 first_finish(struct takesort *ts, struct worker **ws, int nworkers,
	    struct pf_buf *out);

/*
 * The whole sort's view of a record: its hint (under the run's strmask),
 * its input position with ITEM_EXACT set when hint_exact(), its blob.
 */
struct sort_item {
	uint64_t	 hint;
	uint64_t	 order;
	struct blob	*blob;
};

#define ITEM_EXACT	(UINT64_C(1) << 63)

/* Whether item a comes before item b when keys compare under strmask. */
static inline bool
item_before(const struct takesort *ts, unsigned strmask,
    const struct sort_item *a, const struct sort_item *b)
{
	int c;

	if (a->hint != b->hint)
		return a->hint < b->hint;
	if (!(a->order & b->order & ITEM_EXACT) && (c = vals_cmp(ts,
	    a->blob->vals, b->blob->vals, strmask)) != 0)
		return c < 0;
	return (a->order & ~ITEM_EXACT) < (b->order & ~ITEM_EXACT);
}

/*
 * itemsort.c: sorts items under the outcome strmask, hints made first;
 * scratch (n items, or NULL) lets it radix-sort items in input order.
 */
void	 sort_items(const struct takesort *ts, unsigned strmask,
	    struct sort_item *items, size_t n, struct sort_item *scratch);

/* wholesort.c: every record in key order, without -n */
void	 sort_worker_init(struct worker *w);
void	 sort_worker_free(struct worker *w);
uint64_t sort_record(struct worker *w, const struct pf_record *rec);
const char *sort_failure(struct worker *w);
void	 sort_finish(struct takesort *ts, struct worker **ws, int nworkers,
	    struct pf_buf *out);

#endif
