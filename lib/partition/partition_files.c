/*
 * partition_files.c - ppartition's output files: the names (-o PATTERN's
 * "{}", the file-name-safe form of a key value) and the numbered files
 * of -n, created with their directories and the header; a name ending
 * in .gz or .zst is written compressed (support/writer.h).
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "partition/partition_int.h"
#include "support/status.h"
#include "support/xalloc.h"

void
pf_partition_safe_name(struct pf_buf *b, const char *value, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const size_t limit = 200;
	size_t start = b->len, i;
	unsigned char c;

	if (len == 0) {
		pf_buf_adds(b, "%empty");
		return;
	}
	for (i = 0; i < len; i++) {
		c = (unsigned char)value[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		    (c == '.' && i > 0))
			pf_buf_addc(b, (char)c);
		else {
			pf_buf_addc(b, '%');
			pf_buf_addc(b, hex[c >> 4]);
			pf_buf_addc(b, hex[c & 15]);
		}
		if (b->len - start > limit)
			break;
	}
	if (b->len - start > limit) {
		char tail[24];

		b->len = start + limit;
		snprintf(tail, sizeof(tail), "%%%016" PRIX64,
		    (uint64_t)XXH64(value, len, 0));
		pf_buf_adds(b, tail);
	}
}

void
pf_partition_expand(struct pf_buf *b, const char *pattern, const char *s,
    size_t len)
{
	const char *at;

	while ((at = strstr(pattern, "{}")) != NULL) {
		pf_buf_add(b, pattern, (size_t)(at - pattern));
		pf_buf_add(b, s, len);
		pattern = at + 2;
	}
	pf_buf_adds(b, pattern);
}

void
pf_partition_raise_file_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Makes emit() stop the engine; the status is kept in p. */
int
pf_partition_file_failed(struct partition *p, const char *path)
{
	warn("%s", path);
	p->status = PF_FAILED;
	errno = EPIPE;
	return -1;
}

/*
 * Creates the directories of path that do not exist, as mkdir -p would;
 * a failure is left for the open that follows to report.
 */
static void
make_parents(const char *path)
{
	char *dirs = pf_xstrdup(path), *p;

	for (p = strchr(dirs + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(dirs, 0777) < 0 && errno != EEXIST)
			break;
		*p = '/';
	}
	free(dirs);
}

int
pf_partition_open_output(const char *path, int flags)
{
	int fd;

	if ((fd = open(path, flags, 0666)) >= 0 || errno != ENOENT ||
	    !(flags & O_CREAT))
		return fd;
	make_parents(path);
	return open(path, flags, 0666);
}

int
pf_partition_open_files(struct partition *p)
{
	char num[32];
	uint64_t i;
	int status;

	pf_partition_raise_file_limit();
	p->fds = pf_xcalloc(p->nparts, sizeof(*p->fds));
	p->paths = pf_xcalloc(p->nparts, sizeof(*p->paths));
	p->codecs = pf_xcalloc(p->nparts, sizeof(*p->codecs));
	for (i = 0; i < p->nparts; i++)
		p->fds[i] = -1;
	for (i = 0; i < p->nparts; i++) {
		snprintf(num, sizeof(num), "%" PRIu64, i);
		p->path.len = 0;
		pf_partition_expand(&p->path, p->args->pattern, num, strlen(num));
		pf_buf_addc(&p->path, '\0');
		p->paths[i] = pf_xstrdup(p->path.data);
		p->codecs[i] = (uint8_t)pf_codec_for_path(p->paths[i]);
		/* No file is truncated while another is an input. */
		if ((status = pf_inputs_check_path(&p->inputs,
		    p->paths[i])) != 0)
			return status;
	}
	for (i = 0; i < p->nparts; i++) {
		make_parents(p->paths[i]);
		p->fds[i] = pf_outfile_open_fd(p->paths[i], O_TRUNC,
		    &p->inputs, &status);
		if (p->fds[i] < 0)
			return status;
		/* A compressed file is valid even with nothing in it. */
		if ((p->header.len > 0 || p->codecs[i] != PF_CODEC_NONE) &&
		    pf_write_coded(p->z, p->codecs[i], p->fds[i],
		    p->header.data, p->header.len) < 0) {
			warn("%s", p->paths[i]);
			return 1;
		}
	}
	return 0;
}
