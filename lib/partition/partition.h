/*
 * partition.h - ppartition: route records by key to files or to parallel
 * copies of a command (GenStage's PartitionDispatcher and
 * BroadcastDispatcher for the shell).
 *
 * partition.c owns the tool (keys, hashing, the batch framing, files;
 * partition_group.c writes those of -o -n); partition_cmd.c owns command
 * mode (the copies, their pipes, the loop
 * that feeds them and merges their output). The functions below the "internal" line are shared by the
 * two files and by tests/unit/test_partition.c only.
 */
#ifndef PF_PARTITION_H
#define PF_PARTITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "support/buf.h"
#include "engine/options.h"

struct pf_partition_args {
	const char	*keys;		/* -k: fields or expressions, or NULL */
	uint64_t	 nparts;	/* -n (0 with --by-value) */
	const char	*pattern;	/* -o, or NULL in command mode */
	bool		 by_value;	/* --by-value */
	long		 max_open;	/* --max-open (default 256) */
	bool		 broadcast;	/* --broadcast */
	bool		 header_once;	/* --header-once */
	char		**command;	/* argv after "--", NULL-terminated */
};

/* Runs ppartition over files (none means stdin); returns the exit status. */
int pf_partition_main(const struct pf_options *opt,
    const struct pf_partition_args *args, char **files, int nfiles);

/* ---- internal ---- */

/* The key separator when -k names several keys (ASCII unit separator). */
#define PF_PARTITION_KEY_SEP	'\x1f'

/* XXH64(key, seed 0) mod nparts: the partition of a key. */
uint64_t pf_partition_of(const char *key, size_t len, uint64_t nparts);

/*
 * h % d without a division (a 64-bit divq costs more than the hash of a
 * short key): Lemire, Kaser and Kurz, "Faster remainder by direct
 * computation" (2019), with m = pf_partition_fastmod_m(d) = ceil(2^128
 * / d); exact for every 64-bit h and d >= 1 (m wraps to 0 for d == 1,
 * giving 0).
 */
static inline __uint128_t
pf_partition_fastmod_m(uint64_t d)
{
	return ~(__uint128_t)0 / d + 1;
}

static inline uint64_t
pf_partition_fastmod(uint64_t h, __uint128_t m, uint64_t d)
{
	__uint128_t low = m * h;

	return (uint64_t)((((low & UINT64_MAX) * d >> 64) +
	    (low >> 64) * d) >> 64);
}

/*
 * A worker's memo of the partitions of the keys it saw last: most runs
 * have few distinct keys, and a look-up costs less than XXH64 and the
 * remainder. Keys of up to 16 bytes are kept, each in the slot its bytes
 * pick (a newer key takes the slot); a worker whose keys miss more than
 * a quarter of the time stops looking. Answers are always
 * pf_partition_of()'s.
 */
#define PF_PARTITION_MEMO_BITS	10	/* 1024 slots of 24 bytes */

struct pf_partition_memo {
	struct pf_partition_memo_slot {
		uint64_t	lo, hi;		/* the key's bytes, packed */
		uint32_t	len1;		/* its length + 1; 0: empty */
		uint32_t	part;
	}		*slots;			/* NULL: not (or no longer)
						   used */
	uint64_t	 looks, misses;		/* since the last check */
	bool		 started;
};

/*
 * Packs a key of up to 16 bytes into two words that, with its length,
 * tell it from every other: loads that overlap cover all its bytes and
 * never read past them.
 */
static inline void
pf_partition_memo_pack(const char *k, size_t len, uint64_t *lo, uint64_t *hi)
{
	uint32_t a, b;

	*hi = 0;
	if (len >= 8) {
		memcpy(lo, k, 8);
		memcpy(hi, k + len - 8, 8);
	} else if (len >= 4) {
		memcpy(&a, k, 4);
		memcpy(&b, k + len - 4, 4);
		*lo = a | (uint64_t)b << 32;
	} else if (len > 0)
		*lo = (uint64_t)(unsigned char)k[0] |
		    (uint64_t)(unsigned char)k[len / 2] << 8 |
		    (uint64_t)(unsigned char)k[len - 1] << 16;
	else
		*lo = 0;
}

/* Computes, and remembers in s (NULL: nowhere), the partition of key. */
uint64_t pf_partition_memo_miss(struct pf_partition_memo *memo,
    struct pf_partition_memo_slot *s, const char *key, size_t len,
    uint64_t nparts, __uint128_t m);

/*
 * The slot of key in memo, which is in use (slots not NULL), for keys of
 * up to 16 bytes; *lo and *hi are the packed key. The slot holds the key
 * when pf_partition_memo_holds().
 */
static inline struct pf_partition_memo_slot *
pf_partition_memo_slot(const struct pf_partition_memo *memo, const char *key,
    size_t len, uint64_t *lo, uint64_t *hi)
{
	pf_partition_memo_pack(key, len, lo, hi);
	return &memo->slots[((*lo ^ *hi * 0xc2b2ae3d27d4eb4fULL ^ len) *
	    0x9e3779b97f4a7c15ULL) >> (64 - PF_PARTITION_MEMO_BITS)];
}

static inline bool
pf_partition_memo_holds(const struct pf_partition_memo_slot *s, uint64_t lo,
    uint64_t hi, size_t len)
{
	return s->lo == lo && s->hi == hi && s->len1 == len + 1;
}

/*
 * The partition of key (XXH64 mod nparts, m being
 * pf_partition_fastmod_m(nparts)), through memo.
 */
static inline uint64_t
pf_partition_memo_of(struct pf_partition_memo *memo, const char *key,
    size_t len, uint64_t nparts, __uint128_t m)
{
	struct pf_partition_memo_slot *s;
	uint64_t lo, hi;

	if (len > 16 || memo->slots == NULL)
		return pf_partition_memo_miss(memo, NULL, key, len, nparts, m);
	s = pf_partition_memo_slot(memo, key, len, &lo, &hi);
	memo->looks++;
	if (pf_partition_memo_holds(s, lo, hi, len))
		return s->part;
	*s = (struct pf_partition_memo_slot){ lo, hi, (uint32_t)len + 1, 0 };
	return pf_partition_memo_miss(memo, s, key, len, nparts, m);
}

void pf_partition_memo_free(struct pf_partition_memo *memo);

/*
 * Appends the file-name-safe form of a key value to b: bytes outside
 * [A-Za-z0-9._-], and a leading '.', become %XX (upper-case hex); the
 * empty value is "%empty"; a name longer than 200 bytes is cut to 200
 * and ends with "%" and the 16 hex digits of the value's XXH64.
 */
void pf_partition_safe_name(struct pf_buf *b, const char *value, size_t len);

/* Appends pattern to b with every "{}" replaced by the len bytes of s. */
void pf_partition_expand(struct pf_buf *b, const char *pattern,
    const char *s, size_t len);

/* Command mode (partition_cmd.c). */
struct pf_partition_cmd;
struct pf_engine;

/*
 * Starts ncopies copies of argv[0] with pipes on stdin and stdout and
 * PFLOW_PARTITION=i (and PFLOW_PARTITIONS=ncopies) in their environment.
 * Returns NULL after a message when a copy cannot be started.
 */
struct pf_partition_cmd *pf_partition_cmd_start(char **argv, int ncopies,
    char csv_delim, bool header_once);

/*
 * The loop of command mode, the in-order stage of the driven engine e
 * (engine.h): writes pending[i] to copy i, takes the next batch from e
 * once every copy has all of the last, and has route(ctx, frames) fill
 * pending from it; meanwhile copies the copies' output to our stdout in
 * whole records (CSV records split on csv_delim, or lines). A copy that
 * closed its stdin is reported and gets nothing more. Returns at the end
 * of the input, or having stopped e when our stdout is closed or no copy
 * reads any more.
 */
void pf_partition_cmd_run(struct pf_partition_cmd *c, struct pf_engine *e,
    struct pf_buf *pending,
    void (*route)(void *ctx, const struct pf_buf *frames), void *ctx);

/*
 * Ends input to the copies (and, when abort, terminates them), waits for
 * their output and their exit, reports each copy that failed, and frees
 * c. Returns 0, or 1 if a copy failed, stopped reading its input early,
 * or wrote a different header under --header-once.
 */
int pf_partition_cmd_finish(struct pf_partition_cmd *c, bool abort);

#endif
