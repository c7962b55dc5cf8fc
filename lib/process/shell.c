/*
 * shell.c - finding the script of sh -c and quoting values into it
 * (shell.h), so that pmap -- sh -c 'echo {}' passes a record to echo
 * instead of running what the record says.
 */
#include <stdbool.h>
#include <string.h>

#include "process/shell.h"

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

/*
 * The shell's options come first: words that start with - or + (-e, +x,
 * --norc), -o and +o taking the next word (-o pipefail), up to "--" or
 * the first other word. With -c among them, that word is the script.
 */
int
pf_shell_script_arg(char *const argv[], size_t n)
{
	const char *a, *p;
	bool dash_c = false;
	size_t i;

	if (n < 3 || !is_shell(argv[0]))
		return -1;
	for (i = 1; i < n; i++) {
		a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if ((a[0] != '-' && a[0] != '+') || a[1] == '\0')
			break;
		if (a[1] == '-')
			continue;		/* --norc, --posix */
		for (p = a + 1; *p != '\0'; p++)
			if (*p == 'o' || *p == 'O')
				i++;		/* -o pipefail, -eo pipefail */
			else if (*p == 'c' && a[0] == '-')
				dash_c = true;
	}
	return dash_c && i < n ? (int)i : -1;
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
