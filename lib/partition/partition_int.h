/*
 * partition_int.h - ppartition's inner structures, shared by partition.c
 * (keys, the batch framing, the engine's callbacks), partition_files.c
 * (-o: numbered files and file names) and partition_values.c (--by-value:
 * a file per distinct key). Not a public interface.
 */
#ifndef PF_PARTITION_INT_H
#define PF_PARTITION_INT_H

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
	struct pf_buf			*pending;	/* per partition */
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
/* Writes each partition's pending bytes to its file. */
int	pf_partition_write_files(struct partition *p);

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
