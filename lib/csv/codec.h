/*
 * codec.h - compressed input: which codec a stream's first bytes name,
 * and streaming decoders for gzip (multi-member, so BGZF too), zstd,
 * bzip2 and xz, on Debian's zlib, libzstd, libbz2 and liblzma.
 *
 * Several members, frames or streams in a row (cat a.gz b.gz) decode as
 * one stream, as gzip -dc, zstd -dc, bzcat and xzcat read them. A stream
 * that stops inside a member is truncated; bytes that are no valid
 * continuation are corrupt. Both are errors, with a message saying which.
 */
#ifndef PF_CODEC_H
#define PF_CODEC_H

#include <stdbool.h>
#include <stddef.h>

#include "support/codecs.h"

/* Bytes pf_codec_sniff() looks at, when the input has that many. */
#define PF_CODEC_SNIFF	10

/*
 * The codec whose magic bytes start p[0..len), or PF_CODEC_NONE; len may
 * be less than PF_CODEC_SNIFF only when the input is that short.
 */
enum pf_codec pf_codec_sniff(const void *p, size_t len);

/*
 * Whether p[0..len) may still turn out to be a codec's magic bytes when
 * more bytes come: so that a slow text stream is not held up waiting
 * for PF_CODEC_SNIFF bytes (an empty input may be anything).
 */
bool pf_codec_partial(const void *p, size_t len);

/* "gzip", "zstd", "bzip2", "xz" (NONE: "plain"). */
const char *pf_codec_name(enum pf_codec c);

/*
 * Whether p[0..len), the start of an input after any codec, is data
 * pflow does not read: a known archive or compressor that is not one of
 * ours ("a zip archive"), UTF-16 text, or bytes that start with a control
 * character (text may hold NULs as data, but does not start with one).
 * If so, writes what it is into why (size n) and returns true.
 */
bool pf_codec_binary(const void *p, size_t len, char *why, size_t n);

struct pf_decoder;

/* A decoder for codec c (not NONE). Never NULL. */
struct pf_decoder *pf_decoder_new(enum pf_codec c);
void pf_decoder_free(struct pf_decoder *d);

/*
 * Decodes from *in (*in_len bytes, both advanced past what was used) into
 * out[0..cap), setting *produced. finish says that no input follows
 * *in. Returns 0 (call again: with more input, or for more output),
 * 1 when finish is set and the stream has ended with nothing more to
 * give, or -1 with *why set to a static message ("truncated ...",
 * "corrupt ...").
 */
int pf_decoder_run(struct pf_decoder *d, const unsigned char **in,
    size_t *in_len, unsigned char *out, size_t cap, size_t *produced,
    bool finish, const char **why);

#endif
