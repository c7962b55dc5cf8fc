/*
 * xalloc.c - allocation that cannot fail (see xalloc.h).
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "support/xalloc.h"

static void
out_of_memory(void)
{
	errx(1, "out of memory");
}

void *
pf_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		out_of_memory();
	return p;
}

void *
pf_xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (p == NULL)
		out_of_memory();
	return p;
}

void *
pf_xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		out_of_memory();
	return p;
}

char *
pf_xstrndup(const char *s, size_t len)
{
	char *p = pf_xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
pf_xstrdup(const char *s)
{
	return pf_xstrndup(s, strlen(s));
}
