/*
 * shell.c - finding the script of sh -c and quoting values into it
 * (shell.h), so that pmap -- sh -c 'echo {}' passes a record to echo
 * instead of running what the record says.
 */
#include <stdbool.h>
#include <string.h>

#include "shell.h"

static const char *const shells[] = {
	"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", NULL
};

static bool
is_shell(const char *path)
{
	const char *base = strrchr(path, '/');
	int i;

	base = base != NULL ? base + 1 : path;
	for (i = 0; shells[i] != NULL; i++)
		if (strcmp(base, shells[i]) == 0)
			return true;
	return false;
}

int
pf_shell_script_arg(char *const argv[], size_t n)
{
	const char *a;
	size_t i;

	if (n < 3 || !is_shell(argv[0]))
		return -1;
	/* The options, up to the first word that is not one. */
	for (i = 1; i + 1 < n; i++) {
		a = argv[i];
		if ((a[0] != '-' && a[0] != '+') || a[1] == '\0' ||
		    strcmp(a, "--") == 0)
			return -1;
		if (a[1] == '-')
			continue;		/* --norc, --posix */
		if (strcmp(a + 1, "o") == 0 || strcmp(a + 1, "O") == 0) {
			i++;			/* -o pipefail */
			continue;
		}
		if (a[0] == '-' && strchr(a + 1, 'c') != NULL)
			return (int)i + 1;
	}
	return -1;
}

void
pf_shell_quote(struct pf_buf *b, const char *s, size_t len)
{
	const char *q;

	pf_buf_addc(b, '\'');
	while (len > 0 && (q = memchr(s, '\'', len)) != NULL) {
		pf_buf_add(b, s, (size_t)(q - s));
		pf_buf_add(b, "'\\''", 4);
		len -= (size_t)(q - s) + 1;
		s = q + 1;
	}
	pf_buf_add(b, s, len);
	pf_buf_addc(b, '\'');
}
