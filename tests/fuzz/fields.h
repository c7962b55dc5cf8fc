/*
 * fields.h - the fuzz targets' input layout for fields: runs of bytes
 * separated by the byte 0xFF.
 */
#ifndef PF_FUZZ_FIELDS_H
#define PF_FUZZ_FIELDS_H

#include <stdint.h>
#include <string.h>

/* The next field of the input, up to the next 0xFF; *p moves past it. */
static inline size_t
next_field(const uint8_t **p, const uint8_t *end, const char **s)
{
	const uint8_t *sep = memchr(*p, 0xff, (size_t)(end - *p));
	size_t len;

	if (sep == NULL)
		sep = end;
	*s = (const char *)*p;
	len = (size_t)(sep - *p);
	*p = sep < end ? sep + 1 : end;
	return len;
}

#endif
