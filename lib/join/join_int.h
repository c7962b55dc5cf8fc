/*
 * join_int.h - pjoin's TABLE (join_table.c), shared with the tool's
 * callbacks (join.c). Not a public interface.
 *
 * TABLE is read whole, its records' fields pointing into its bytes (or
 * copied into an arena when unquoting changed them), and indexed by key
 * in a pf_groups table whose state is the first and last record of the
 * key; records of the same key are chained in TABLE's order. Once built
 * it is only read, by every worker at once. All it costs (its bytes, the
 * arena, the records' array, the index's slots and groups, the rendered
 * suffixes) stays within --memory: pf_join_table_cost() is checked as
 * each grows.
 */
#ifndef PF_JOIN_INT_H
#define PF_JOIN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "expr/keys.h"
#include "csv/record.h"
#include "support/table.h"

struct pf_join_record {
	struct pf_field	*fields;
	unsigned char	*kinds;		/* JSON Lines TABLE: the fields' JSON
					   kinds (record.h); else NULL */
	size_t		 nfields;
	uint32_t	 next;		/* the next of its key, or UINT32_MAX */
	const char	*suffix;	/* its output columns, written after a
					   stream record's raw bytes */
	size_t		 suffix_len;
};

struct pf_join_table {
	const char		*path;	/* its name: "stdin" for "-" */
	struct pf_buf		 bytes;	/* TABLE, whole */
	struct pf_schema	 schema;
	struct pf_jsonl_keys	*json_keys;	/* JSON Lines: its first
						   object's keys */
	struct pf_arena		 arena;
	struct pf_join_record	*recs;
	size_t			 n, cap;
	struct pf_keys		 keys;	/* TABLE's side of -k */
	struct pf_groups	 index;
	struct pf_buf		 bad;	/* with --bad: malformed records, raw,
					   each followed by LF */
	uint64_t		 nbad;
};

/*
 * Reads TABLE's records (dialect d; JSON Lines: fields named by its
 * first object's keys, as a stream's are). A malformed record (bad quoting, a
 * field count other than the header's) is set aside in t->bad when
 * set_aside (--bad), as the engine sets aside a stream's; without it, it
 * is an error. A malformed header is always one. path "-" is stdin.
 * Returns 0; 1 after an error message (unreadable, malformed: FILE:LINE
 * (record N)); 2 when it costs more than memory bytes (no message).
 */
int pf_join_table_read(struct pf_join_table *t, const char *path,
    const struct pf_dialect *d, size_t memory, bool set_aside);
/*
 * Indexes the records by t->keys (compiled). Returns 0; 1 (said); 2 when
 * the table with its index costs more than memory bytes (no message).
 */
int pf_join_table_index(struct pf_join_table *t, size_t memory);
/* The bytes TABLE holds: its bytes, arena, records' array and index. */
size_t pf_join_table_cost(const struct pf_join_table *t);
/* The first record of a key, or UINT32_MAX. */
uint32_t pf_join_table_first(const struct pf_join_table *t, const char *key,
    size_t len);
void pf_join_table_free(struct pf_join_table *t);

#endif
