/*
 * codec.c - magic bytes and streaming decoders for compressed input
 * (see codec.h): gzip on zlib, zstd on libzstd, bzip2 on libbz2, xz on
 * liblzma. Each decoder keeps going across member (frame, stream)
 * boundaries and knows whether it stands at one, which is how a
 * truncated input is told from a complete one.
 */
#include <bzlib.h>
#include <err.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "csv/codec.h"
#include "support/xalloc.h"

struct pf_decoder {
	enum pf_codec	 codec;
	bool		 in_member;	/* inside a member, frame or stream */
	bool		 ended;		/* xz: the whole input has ended */
	z_stream	 z;
	ZSTD_DCtx	*zs;
	bz_stream	 bz;
	lzma_stream	 xz;
};

enum pf_codec
pf_codec_sniff(const void *p, size_t len)
{
	const unsigned char *b = p;
	static const unsigned char bz_block[] = { 0x31, 0x41, 0x59, 0x26, 0x53, 0x59 };
	static const unsigned char bz_end[] = { 0x17, 0x72, 0x45, 0x38, 0x50, 0x90 };

	if (len >= 3 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8)
		return PF_CODEC_GZIP;
	if (len >= 4 && memcmp(b, "\x28\xb5\x2f\xfd", 4) == 0)
		return PF_CODEC_ZSTD;
	if (len >= 6 && memcmp(b, "\xfd" "7zXZ\0", 6) == 0)
		return PF_CODEC_XZ;
	/* "BZh1".."BZh9" is text too: the first block's magic must follow. */
	if (len >= 10 && memcmp(b, "BZh", 3) == 0 && b[3] >= '1' &&
	    b[3] <= '9' && (memcmp(b + 4, bz_block, 6) == 0 ||
	    memcmp(b + 4, bz_end, 6) == 0))
		return PF_CODEC_BZIP2;
	return PF_CODEC_NONE;
}

bool
pf_codec_partial(const void *p, size_t len)
{
	static const char *const magic[] = { "\x1f\x8b\x08", "\x28\xb5\x2f\xfd",
	    "\xfd" "7zXZ", "BZh" };
	size_t i, n;

	if (len >= PF_CODEC_SNIFF)
		return false;
	for (i = 0; i < sizeof(magic) / sizeof(magic[0]); i++) {
		n = strlen(magic[i]);
		if (memcmp(p, magic[i], len < n ? len : n) == 0 &&
		    (len < n || i == 3 || i == 2))
			return true;	/* xz and bzip2 need more than that */
	}
	return false;
}

const char *
pf_codec_name(enum pf_codec c)
{
	switch (c) {
	case PF_CODEC_GZIP:	return "gzip";
	case PF_CODEC_ZSTD:	return "zstd";
	case PF_CODEC_BZIP2:	return "bzip2";
	case PF_CODEC_XZ:	return "xz";
	default:		return "plain";
	}
}

bool
pf_codec_binary(const void *p, size_t len, char *why, size_t n)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *what;
	} foreign[] = {
		{ "PK\3\4", 4, "a zip archive" },
		{ "\x04\x22\x4d\x18", 4, "lz4-compressed data" },
		{ "7z\xbc\xaf\x27\x1c", 6, "a 7-Zip archive" },
		{ "Rar!\x1a\x07", 6, "a RAR archive" },
		{ "\x89LZO", 4, "lzop-compressed data" },
		{ "\x5d\0\0", 3, "lzma-compressed data" },
		{ "PAR1", 4, "a Parquet file" },
		{ "%PDF-", 5, "a PDF document" },
		{ "\x7f" "ELF", 4, "an executable (ELF)" },
	};
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++)
		if (len >= foreign[i].len &&
		    memcmp(p, foreign[i].magic, foreign[i].len) == 0) {
			snprintf(why, n, "%s, which pflow does not read "
			    "(it reads text, plain or compressed with gzip, "
			    "zstd, bzip2 or xz)", foreign[i].what);
			return true;
		}
	if (len >= 2 && ((b[0] == 0xff && b[1] == 0xfe) ||
	    (b[0] == 0xfe && b[1] == 0xff))) {
		snprintf(why, n, "UTF-16 text, which pflow does not read; "
		    "convert it first, e.g. with iconv -f UTF-16 -t UTF-8");
		return true;
	}
	/* Text may hold NULs (data), but does not start with a control. */
	if (len > 0 && ((b[0] < 0x20 && b[0] != '\t' && b[0] != '\n' &&
	    b[0] != '\r' && b[0] != '\f' && b[0] != 0x1b) || b[0] == 0x7f)) {
		snprintf(why, n, "binary data, not text (it starts with byte "
		    "0x%02x); pflow reads text, plain or compressed with gzip, "
		    "zstd, bzip2 or xz", b[0]);
		return true;
	}
	return false;
}

struct pf_decoder *
pf_decoder_new(enum pf_codec c)
{
	struct pf_decoder *d = pf_xcalloc(1, sizeof(*d));

	d->codec = c;
	if (c == PF_CODEC_GZIP) {
		if (inflateInit2(&d->z, 15 + 16) != Z_OK)
			errx(1, "out of memory");
	} else if (c == PF_CODEC_ZSTD) {
		if ((d->zs = ZSTD_createDCtx()) == NULL)
			errx(1, "out of memory");
	} else if (c == PF_CODEC_XZ) {
		d->xz = (lzma_stream)LZMA_STREAM_INIT;
		if (lzma_stream_decoder(&d->xz, UINT64_MAX,
		    LZMA_CONCATENATED) != LZMA_OK)
			errx(1, "out of memory");
	}
	return d;
}

void
pf_decoder_free(struct pf_decoder *d)
{
	if (d == NULL)
		return;
	if (d->codec == PF_CODEC_GZIP)
		inflateEnd(&d->z);
	else if (d->codec == PF_CODEC_ZSTD)
		ZSTD_freeDCtx(d->zs);
	else if (d->codec == PF_CODEC_BZIP2 && d->in_member)
		BZ2_bzDecompressEnd(&d->bz);
	else if (d->codec == PF_CODEC_XZ)
		lzma_end(&d->xz);
	free(d);
}

/*
 * How one call of the gzip, zstd and bzip2 loops ends, given the input
 * left unread and the bytes produced: 0 while there is more to do (input
 * left, output given, or more input to come); at the end of all input, 1
 * when it stands between members, else -1 with *why = truncated.
 */
static int
run_end(const struct pf_decoder *d, size_t in_left, size_t produced,
    bool finish, const char *truncated, const char **why)
{
	if (!finish || in_left > 0 || produced > 0)
		return 0;
	if (d->in_member) {
		*why = truncated;
		return -1;
	}
	return 1;
}

/* gzip: members one after the other; zlib reads one at a time. */
static int
run_gzip(struct pf_decoder *d, const unsigned char **in, size_t *in_len,
    unsigned char *out, size_t cap, size_t *produced, bool finish,
    const char **why)
{
	z_stream *z = &d->z;
	int rc = Z_OK;

	z->next_in = (unsigned char *)*in;
	z->avail_in = (uInt)*in_len;
	z->next_out = out;
	z->avail_out = (uInt)cap;
	while (z->avail_out > 0) {
		if (z->avail_in == 0)
			break;
		if (!d->in_member) {
			if (inflateReset(z) != Z_OK)
				break;
			d->in_member = true;
		}
		rc = inflate(z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			d->in_member = false;
		else if (rc == Z_BUF_ERROR)
			break;
		else if (rc != Z_OK) {
			*why = rc == Z_MEM_ERROR ? "out of memory" :
			    "corrupt gzip data";
			return -1;
		}
	}
	*produced = cap - z->avail_out;
	*in = z->next_in;
	*in_len = z->avail_in;
	return run_end(d, *in_len, *produced, finish,
	    "truncated gzip data (it ends inside a member)", why);
}

/* zstd: libzstd reads frame after frame (and skips skippable ones). */
static int
run_zstd(struct pf_decoder *d, const unsigned char **in, size_t *in_len,
    unsigned char *out, size_t cap, size_t *produced, bool finish,
    const char **why)
{
	ZSTD_inBuffer ib = { *in, *in_len, 0 };
	ZSTD_outBuffer ob = { out, cap, 0 };
	size_t rc;

	size_t in_was, out_was;

	while (ob.pos < ob.size) {
		in_was = ib.pos;
		out_was = ob.pos;
		rc = ZSTD_decompressStream(d->zs, &ob, &ib);
		if (ZSTD_isError(rc)) {
			*why = "corrupt zstd data";
			return -1;
		}
		/* With no progress, rc hints at the next frame's header. */
		if (rc == 0)
			d->in_member = false;
		else if (ib.pos > in_was || ob.pos > out_was)
			d->in_member = true;
		if (ib.pos == ib.size && ob.pos < ob.size)
			break;		/* all it can give for this input */
	}
	*produced = ob.pos;
	*in += ib.pos;
	*in_len -= ib.pos;
	return run_end(d, *in_len, *produced, finish,
	    "truncated zstd data (it ends inside a frame)", why);
}

/* bzip2: libbz2 reads one stream; a new one starts after its end. */
static int
run_bzip2(struct pf_decoder *d, const unsigned char **in, size_t *in_len,
    unsigned char *out, size_t cap, size_t *produced, bool finish,
    const char **why)
{
	bz_stream *s = &d->bz;
	size_t avail_in = *in_len, avail_out = cap;
	unsigned take, room;
	int rc;

	/* At the end, libbz2 may still decode what it has taken in. */
	while (avail_out > 0 && (avail_in > 0 || (finish && d->in_member))) {
		if (!d->in_member) {
			memset(s, 0, sizeof(*s));
			if (BZ2_bzDecompressInit(s, 0, 0) != BZ_OK) {
				*why = "out of memory";
				return -1;
			}
			d->in_member = true;
		}
		take = avail_in > (1u << 30) ? 1u << 30 : (unsigned)avail_in;
		room = avail_out > (1u << 30) ? 1u << 30 : (unsigned)avail_out;
		s->next_in = (char *)*in + (*in_len - avail_in);
		s->avail_in = take;
		s->next_out = (char *)out + (cap - avail_out);
		s->avail_out = room;
		rc = BZ2_bzDecompress(s);
		avail_in -= take - s->avail_in;
		avail_out -= room - s->avail_out;
		if (rc == BZ_STREAM_END) {
			BZ2_bzDecompressEnd(s);
			d->in_member = false;
		} else if (rc != BZ_OK) {
			*why = rc == BZ_MEM_ERROR ? "out of memory" :
			    "corrupt bzip2 data";
			return -1;
		} else if (take == s->avail_in && room == s->avail_out)
			break;		/* no progress: wants more input */
	}
	*produced = cap - avail_out;
	*in += *in_len - avail_in;
	*in_len = avail_in;
	return run_end(d, *in_len, *produced, finish,
	    "truncated bzip2 data (it ends inside a stream)", why);
}

/* xz: liblzma reads concatenated streams itself (LZMA_CONCATENATED). */
static int
run_xz(struct pf_decoder *d, const unsigned char **in, size_t *in_len,
    unsigned char *out, size_t cap, size_t *produced, bool finish,
    const char **why)
{
	lzma_stream *s = &d->xz;
	lzma_ret rc;

	s->next_in = *in;
	s->avail_in = *in_len;
	s->next_out = out;
	s->avail_out = cap;
	while (!d->ended && s->avail_out > 0) {
		rc = lzma_code(s, finish ? LZMA_FINISH : LZMA_RUN);
		if (rc == LZMA_STREAM_END)
			d->ended = true;
		else if (rc == LZMA_BUF_ERROR && finish) {
			*why = "truncated xz data (it ends inside a stream)";
			return -1;
		} else if (rc == LZMA_BUF_ERROR)
			break;
		else if (rc != LZMA_OK) {
			*why = rc == LZMA_MEM_ERROR ? "out of memory" :
			    rc == LZMA_OPTIONS_ERROR ?
			    "xz data with options this liblzma does not read" :
			    "corrupt xz data";
			return -1;
		} else if (s->avail_in == 0 && !finish)
			break;
	}
	*produced = cap - s->avail_out;
	*in = s->next_in;
	*in_len = s->avail_in;
	return finish && d->ended && *produced == 0 ? 1 : 0;
}

int
pf_decoder_run(struct pf_decoder *d, const unsigned char **in,
    size_t *in_len, unsigned char *out, size_t cap, size_t *produced,
    bool finish, const char **why)
{
	*produced = 0;
	switch (d->codec) {
	case PF_CODEC_GZIP:
		return run_gzip(d, in, in_len, out, cap, produced, finish, why);
	case PF_CODEC_ZSTD:
		return run_zstd(d, in, in_len, out, cap, produced, finish, why);
	case PF_CODEC_BZIP2:
		return run_bzip2(d, in, in_len, out, cap, produced, finish,
		    why);
	case PF_CODEC_XZ:
		return run_xz(d, in, in_len, out, cap, produced, finish, why);
	default:
		*why = "no codec";
		return -1;
	}
}
