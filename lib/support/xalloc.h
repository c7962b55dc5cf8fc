/*
 * xalloc.h - allocation that cannot fail.
 *
 * pflow treats running out of memory as fatal: these wrappers print
 * "PROG: out of memory" and exit with status 1, so callers never check.
 */
#ifndef PF_XALLOC_H
#define PF_XALLOC_H

#include <stddef.h>

void *pf_xmalloc(size_t size);
void *pf_xcalloc(size_t count, size_t size);
void *pf_xrealloc(void *ptr, size_t size);
char *pf_xstrdup(const char *s);
char *pf_xstrndup(const char *s, size_t len);

#endif
