/*
 * writer.h - writing bytes to a descriptor: all of them, as they are or
 * compressed (gzip, zstd) when the file's name asks for it.
 *
 * A compressed write is one whole gzip member or zstd frame, so a file
 * is valid after every write, may be closed and appended to again, and
 * a compressor keeps no state between writes (memory stays one
 * compressor's, however many files it writes). Concatenated members and
 * frames are one stream to gzip -dc, zcat, zstd -dc and pflow's reader.
 */
#ifndef PF_WRITER_H
#define PF_WRITER_H

#include <stddef.h>

#include "support/codecs.h"

/* Writes all of buf to fd. Returns 0, or -1 with errno set. */
int pf_write_all(int fd, const char *buf, size_t len);

/* The codec a file called path is written with (by its ending). */
enum pf_codec pf_codec_for_path(const char *path);

/* What compresses: made once, used by one thread at a time. */
struct pf_compressor;

struct pf_compressor *pf_compressor_new(void);
void pf_compressor_free(struct pf_compressor *c);	/* c may be NULL */

/*
 * Writes s[0..len) to fd with codec: as it is (nothing when len is 0),
 * or as one complete gzip member or zstd frame (an empty one when len
 * is 0, so that a file holding nothing is still valid). Returns 0, or
 * -1 with errno set (EIO when the compressor fails).
 */
int pf_write_coded(struct pf_compressor *c, enum pf_codec codec, int fd,
    const char *s, size_t len);

#endif
