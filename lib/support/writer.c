/*
 * writer.c - whole writes to a descriptor, plain or as gzip members and
 * zstd frames (see writer.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "support/buf.h"
#include "support/writer.h"
#include "support/xalloc.h"

struct pf_compressor {
	z_stream	 gz;
	bool		 gz_ready;
	ZSTD_CCtx	*zstd;
	struct pf_buf	 out;
};

int
pf_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static bool
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n > t && strcmp(s + n - t, tail) == 0;
}

enum pf_codec
pf_codec_for_path(const char *path)
{
	if (ends_with(path, ".gz"))
		return PF_CODEC_GZIP;
	if (ends_with(path, ".zst"))
		return PF_CODEC_ZSTD;
	return PF_CODEC_NONE;
}

struct pf_compressor *
pf_compressor_new(void)
{
	return pf_xcalloc(1, sizeof(struct pf_compressor));
}

void
pf_compressor_free(struct pf_compressor *c)
{
	if (c == NULL)
		return;
	if (c->gz_ready)
		deflateEnd(&c->gz);
	ZSTD_freeCCtx(c->zstd);
	pf_buf_free(&c->out);
	free(c);
}

/* s[0..len) as one gzip member in c->out. Returns false on failure. */
static bool
gzip_member(struct pf_compressor *c, const char *s, size_t len)
{
	int rc;

	if (!c->gz_ready) {
		if (deflateInit2(&c->gz, 6, Z_DEFLATED, 15 + 16, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK)
			return false;
		c->gz_ready = true;
	} else if (deflateReset(&c->gz) != Z_OK)
		return false;
	do {
		size_t chunk = len > UINT_MAX / 2 ? UINT_MAX / 2 : len;

		c->gz.next_in = (Bytef *)(uintptr_t)s;
		c->gz.avail_in = (uInt)chunk;
		s += chunk;
		len -= chunk;
		do {
			pf_buf_reserve(&c->out, 65536);
			c->gz.next_out = (Bytef *)c->out.data + c->out.len;
			c->gz.avail_out = (uInt)(c->out.cap - c->out.len);
			rc = deflate(&c->gz, len == 0 ? Z_FINISH : Z_NO_FLUSH);
			c->out.len = c->out.cap - c->gz.avail_out;
			if (rc == Z_STREAM_ERROR)
				return false;
		} while (c->gz.avail_out == 0 ||
		    (len == 0 && rc != Z_STREAM_END));
	} while (len > 0);
	return rc == Z_STREAM_END;
}

/* s[0..len) as one zstd frame in c->out. Returns false on failure. */
static bool
zstd_frame(struct pf_compressor *c, const char *s, size_t len)
{
	size_t n;

	if (c->zstd == NULL) {
		if ((c->zstd = ZSTD_createCCtx()) == NULL)
			return false;
		ZSTD_CCtx_setParameter(c->zstd, ZSTD_c_compressionLevel, 3);
	}
	pf_buf_reserve(&c->out, ZSTD_compressBound(len));
	n = ZSTD_compress2(c->zstd, c->out.data, c->out.cap, s, len);
	if (ZSTD_isError(n))
		return false;
	c->out.len = n;
	return true;
}

int
pf_write_coded(struct pf_compressor *c, enum pf_codec codec, int fd,
    const char *s, size_t len)
{
	bool ok;

	if (codec == PF_CODEC_NONE)
		return pf_write_all(fd, s, len);
	c->out.len = 0;
	ok = codec == PF_CODEC_GZIP ? gzip_member(c, s, len) :
	    zstd_frame(c, s, len);
	if (!ok) {
		errno = EIO;
		return -1;
	}
	return pf_write_all(fd, c->out.data, c->out.len);
}
