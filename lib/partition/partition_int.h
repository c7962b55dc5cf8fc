/*
 * partition_int.h - ppartition's inner structures, shared by partition.c
 * (keys, the batch framing, the engine's callbacks), partition_files.c
 * (-o: numbered files and file names), partition_group.c (-o -n: the
 * records of a batch grouped by partition, written) and
 * partition_values.c (--by-value: a file per distinct key). Not a public
 * interface.
 */
#ifndef PF_PARTITION_INT_H
#define PF_PARTITION_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "csv/output.h"
#include "engine/engine.h"
#include "expr/keys.h"
#include "partition/partition.h"
#include "support/buf.h"
#include "support/outfile.h"
#include "support/table.h"
#include "support/writer.h"

#define NONE		UINT32_MAX

/* One distinct key value of --by-value: the state of its table entry. */
struct value {
	int		fd;		/* -1 when closed */
	uint32_t	newer, older;	/* LRU neighbours among open files */
	uint32_t	slot;		/* its pending buffer in this batch */
	bool		created;	/* created and truncated in this run */
	uint8_t		codec;		/* enum pf_codec, by its file's name */
};

/* --by-value: key bytes -> struct value (table.h), and the open files. */
struct values {
	struct pf_arena	 arena;		/* the key bytes */
	struct pf_groups table;		/* index = the value's number */
	bool		 ready;
	uint32_t	 newest, oldest;
	long		 nopen;
	struct pf_buf	*slots;		/* pending bytes per value touched */
	uint32_t	*touched;	/* slot -> value index */
	uint32_t	 nslots, slots_cap;
};

/*
 * -o with -n (partition_group.c): a batch's records grouped by
 * partition, made by a worker at the batch's end, written by the writer
 * thread, then kept in the pool of spare groups.
 */
struct group {
	struct pf_buf	 bytes;		/* partition i's from start[i], a gap
					   (partition_group.c) after them */
	uint64_t	*start;		/* nparts + 1 offsets */
	bool		 to_all;	/* --broadcast: all the bytes, to each */
	struct group	*next;		/* in the pool */
};

/* One record noted by a worker. */
struct noted {
	uint64_t	at;		/* raw_copy: the address of its raw
					   bytes; else its offset in rendered */
	uint32_t	len;		/* bytes written (raw: + the LF) */
	uint32_t	part;
};

/* A worker's records of the batch at hand, noted until its end. */
struct grouping {
	struct noted	*noted;		/* in input order */
	size_t		 nnoted, cap;
	uint64_t	*sizes;		/* nparts: bytes of each, this batch */
	struct pf_buf	 rendered;	/* records output.c wrote (no raw_copy) */
};

struct partition {
	struct pf_tool			*tool;
	const struct pf_options		*opt;
	const struct pf_partition_args	*args;
	struct pf_keys			 keys;		/* -k */
	bool				 has_keys;
	struct pf_output		 out;
	bool				 out_ready;
	bool				 raw_copy;
	struct pf_buf			 header;
	bool				 start_called;
	bool				 sinks_open;
	int				 status;

	uint64_t			 nparts;	/* files or copies */
	__uint128_t			 fastmod_m;	/* for h % nparts */
	bool				 grouping;	/* -o -n: groups */
	pthread_mutex_t			 spare_lock;
	struct group			*spare;		/* the pool */
	struct pf_buf			*pending;	/* per partition (command
							   mode) */
	int				*fds;		/* -o: one per partition */
	char				**paths;
	uint8_t				*codecs;	/* enum pf_codec */
	struct pf_compressor		*z;		/* .gz, .zst files */
	struct pf_partition_cmd		*cmd;
	struct values			 values;	/* --by-value */
	struct pf_buf			 path;		/* scratch */
	struct pf_buf			 name;		/* scratch */
	struct pf_inputs		 inputs;	/* no -o file may be one */
};

/* partition_files.c */

/* Lets -n open more files than the default soft limit allows. */
void	pf_partition_raise_file_limit(void);
/* Reports a write error on path; returns -1 with errno EPIPE (stop). */
int	pf_partition_file_failed(struct partition *p, const char *path);
/* open(2) for an output file, its directories made when it is created. */
int	pf_partition_open_output(const char *path, int flags);
/* -o with -n: creates the numbered files, each with the header. */
int	pf_partition_open_files(struct partition *p);

/* partition_group.c */

/* -o with -n: records go through groups (the pool's lock made). */
void	pf_partition_group_init(struct partition *p);
/* Makes room for more notes in g (and its sizes, at first). */
void	pf_partition_grouping_grow(struct partition *p, struct grouping *g);
/* Has output.c write rec into g->rendered, noted in n. */
void	pf_partition_group_render(struct partition *p, struct grouping *g,
	    struct noted *n, const struct pf_record *rec);

/*
 * Notes a record written raw, as its input bytes and LF, in partition
 * part; g has room for it (nnoted < cap).
 */
static inline void
pf_partition_group_note_raw(struct grouping *g, uint32_t part,
    const struct pf_record *rec)
{
	struct noted *n = &g->noted[g->nnoted++];

	n->at = (uint64_t)(uintptr_t)rec->raw;
	n->len = (uint32_t)rec->raw_len + 1;
	n->part = part;
	g->sizes[part] += n->len;
}

/*
 * A worker notes a record for partition part (0 for all under
 * --broadcast): its raw bytes must stay where they are until the batch
 * ends (they are the batch's).
 */
static inline void
pf_partition_group_note(struct partition *p, struct grouping *g,
    uint64_t part, const struct pf_record *rec)
{
	struct noted *n;

	if (g->nnoted == g->cap)
		pf_partition_grouping_grow(p, g);
	if (p->raw_copy) {
		pf_partition_group_note_raw(g, (uint32_t)part, rec);
		return;
	}
	n = &g->noted[g->nnoted++];
	pf_partition_group_render(p, g, n, rec);
	n->part = (uint32_t)part;
	g->sizes[part] += n->len;
}

/*
 * At a batch's end, on its worker: the noted records copied into a group
 * from the pool, which the caller passes to pf_partition_group_write();
 * NULL when none was noted.
 */
struct group *pf_partition_group_end(struct partition *p, struct grouping *g);
/*
 * On the writer thread, in input order: writes r to the files when
 * write is true and no write failed before (on failure, reports it and
 * has the run stop with PF_FAILED), then puts r back in the pool.
 */
void	pf_partition_group_write(struct partition *p, struct group *r,
	    bool write);
void	pf_partition_grouping_free(struct grouping *g);
/* Frees the pool (every group is back in it once the run is over). */
void	pf_partition_group_finish(struct partition *p);

/* partition_values.c */

void	pf_partition_values_init(struct values *vs);
/*
 * Adds a record (len bytes at rec) to the pending bytes of the value
 * with these key bytes; hash is pf_hash(key, keylen).
 */
void	pf_partition_values_route(struct partition *p, uint64_t hash,
	    const char *key, uint32_t keylen, const char *rec, uint32_t len);
/* Writes each value's records of this batch with one write(2). */
int	pf_partition_values_write(struct partition *p);
/* Closes the open files and frees the table; returns 0 or 1. */
int	pf_partition_values_finish(struct partition *p);

#endif
