/*
 * chunk.c - quote-aware batch boundaries (see chunk.h).
 *
 * A block without a quote takes its last LF (memchr speed). A block with
 * quotes goes to the CPU's kernel (scan.h), which reads it 64 bytes at a
 * time as bit masks, as simdjson and simdcsv do, and hands a block where
 * a quote breaks the rule (x"y, or "a"b"c) to the byte-wise reference
 * automaton. The rare paths here (a malformed record's extent, CR-only
 * files) step the reference automaton directly.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "csv/chunk.h"
#include "csv/scan.h"
#include "support/compat.h"

size_t
pf_chunk_scan(const struct pf_dialect *d, const char *buf, size_t len,
    enum pf_scan_state *state)
{
	const char *lf;

	if (len == 0)
		return 0;
	if (d->format == PF_CSV && memchr(buf, '"', len) != NULL)
		return pf_scan_kernel()->cut(d->delim, buf, len, state);
	if (d->format == PF_CSV) {
		if (*state == PF_SCAN_QUOTED)	/* all inside one quoted field */
			return 0;
		*state = pf_scan_state_at(d->delim, buf, len, false, *state);
	}
	lf = memrchr(buf, '\n', len);
	return lf ? (size_t)(lf - buf) + 1 : 0;
}

size_t
pf_chunk_cut(const struct pf_dialect *d, const char *buf, size_t len)
{
	enum pf_scan_state state = PF_SCAN_START;

	return pf_chunk_scan(d, buf, len, &state);
}

const char *
pf_chunk_record_end(const struct pf_dialect *d, const char *p,
    const char *end, bool *open)
{
	enum pf_scan_state s = PF_SCAN_START;
	const char *lf, *opened = p;

	*open = false;
	lf = memchr(p, '\n', (size_t)(end - p));
	if (lf == NULL)
		lf = end;
	/* The common case: no quote before the first LF. */
	if (d->format != PF_CSV || memchr(p, '"', (size_t)(lf - p)) == NULL)
		return lf;
	for (; p < end; p++) {
		if (*p == '"' && s == PF_SCAN_START)
			opened = p;
		s = pf_scan_step(s, *p, d->delim);
		if (*p == '\n' && s == PF_SCAN_START)
			return p;
	}
	if (s != PF_SCAN_QUOTED)
		return end;
	*open = true;
	lf = memchr(opened, '\n', (size_t)(end - opened));
	return lf ? lf : end;
}

size_t
pf_chunk_records(const struct pf_dialect *d, const char *buf, size_t len,
    size_t limit, size_t *end)
{
	const char *p = buf, *stop = buf + len, *lf;
	bool open;
	size_t n = 0;

	while (p < stop && n < limit) {
		lf = pf_chunk_record_end(d, p, stop, &open);
		if (d->format == PF_LINES || !(lf == p ||
		    (lf == p + 1 && *p == '\r')))
			n++;
		p = lf < stop ? lf + 1 : stop;
	}
	*end = (size_t)(p - buf);
	return n;
}

bool
pf_chunk_cr_only(const struct pf_dialect *d, const char *buf, size_t len)
{
	enum pf_scan_state s = PF_SCAN_START;
	size_t i;

	if (d->format == PF_LINES && memchr(buf, '\n', len) != NULL)
		return false;
	for (i = 0; i < len; i++) {
		if (s != PF_SCAN_QUOTED) {
			if (buf[i] == '\n')
				return false;
			if (buf[i] == '\r' && i + 1 < len && buf[i + 1] != '\n')
				return true;
		}
		if (d->format == PF_CSV)
			s = pf_scan_step(s, buf[i], d->delim);
	}
	return false;
}
