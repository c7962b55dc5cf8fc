/*
 * shell.c - commands that run a shell script given as an argument
 * (shell.h): finding the script among the words of a command, reading
 * the script's quoting to know what each point of it is inside, and the
 * text that refers to a variable there. pmap passes a record's values to
 * such a script as arguments and puts only these references in its text,
 * so no value is ever parsed as shell code.
 */
#include <stdbool.h>
#include <string.h>

#include "process/shell.h"

static const char *const shells[] = {
	"sh", "bash", "dash", "zsh", "ksh", "ksh93", "mksh", "pdksh", "ash",
	"yash", "posh", "rbash", NULL
};

/* Of those, the shells that read $'...' (ANSI-C quotes). */
static const char *const dollar_single_shells[] = {
	"bash", "zsh", "ksh", "ksh93", "mksh", "rbash", NULL
};

static bool
named(const char *path, const char *const names[])
{
	const char *base = strrchr(path, '/');
	int i;

	base = base != NULL ? base + 1 : path;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(base, names[i]) == 0)
			return true;
	return false;
}

bool
pf_shell_has_dollar_single(const char *path)
{
	return named(path, dollar_single_shells);
}

static bool
is_option(const char *a)
{
	return (a[0] == '-' || a[0] == '+') && a[1] != '\0';
}

/*
 * The script of the shell whose word is argv[sh]: the shell's options
 * come first (see shell.h); with -c among them, the word after them.
 */
static int
script_after(char *const argv[], size_t n, size_t sh)
{
	const char *a, *p;
	bool dash_c = false;
	size_t i;

	for (i = sh + 1; i < n; i++) {
		a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (!is_option(a))
			break;
		if (a[1] == '-') {
			/* --norc, --rcfile FILE: a plain word after it is
			   taken as its argument. */
			if (i + 1 < n && !is_option(argv[i + 1]) &&
			    strcmp(argv[i + 1], "--") != 0 && !dash_c)
				i++;
			continue;
		}
		for (p = a + 1; *p != '\0'; p++)
			if (*p == 'o' || *p == 'O')
				i++;		/* -o pipefail, -eo pipefail */
			else if (*p == 'c' && a[0] == '-')
				dash_c = true;
	}
	return dash_c && i < n ? (int)i : -1;
}

int
pf_shell_script_arg(char *const argv[], size_t n, size_t *shell)
{
	size_t i;
	int script;

	for (i = 0; i + 2 < n; i++)
		if (named(argv[i], shells) &&
		    (script = script_after(argv, n, i)) >= 0) {
			*shell = i;
			return script;
		}
	return -1;
}

/* ---- reading a script's quoting ----------------------------------------- */

#define MAX_NEST	64
#define MAX_HEREDOCS	16
#define MAX_DELIM	256

/* What the lexer is inside: the frames nest ("$(`'...'`)"). */
enum frame { F_TOP, F_SUBST, F_BACKQUOTE, F_DOUBLE, F_SINGLE, F_DOLLAR };

/* A here-document whose body starts after the current line. */
struct heredoc {
	char	 delim[MAX_DELIM];
	size_t	 len;
	bool	 quoted;	/* <<'EOF', <<"EOF", <<\EOF: nothing expands */
	bool	 strip_tabs;	/* <<- */
};

struct lexer {
	const char	*s;
	size_t		 len, i;
	bool		 dollar_single;
	const size_t	*at;
	size_t		 n, k;
	enum pf_shell_context *ctx;
	enum frame	 stack[MAX_NEST];
	int		 parens[MAX_NEST];	/* open ( inside $( */
	int		 top;
	bool		 comment;
	struct heredoc	 docs[MAX_HEREDOCS];
	int		 ndocs;
};

static enum frame
frame(const struct lexer *l)
{
	return l->stack[l->top];
}

static bool
unquoted(const struct lexer *l)
{
	enum frame f = frame(l);

	return f == F_TOP || f == F_SUBST || f == F_BACKQUOTE;
}

static enum pf_shell_context
context(const struct lexer *l)
{
	switch (frame(l)) {
	case F_DOUBLE:
		return PF_SHELL_DOUBLE;
	case F_SINGLE:
		return PF_SHELL_SINGLE;
	case F_DOLLAR:
		return PF_SHELL_DOLLAR_SINGLE;
	default:
		return PF_SHELL_UNQUOTED;
	}
}

/* The points before offset upto (upto itself too when inclusive). */
static void
mark(struct lexer *l, size_t upto, bool inclusive, enum pf_shell_context c)
{
	while (l->k < l->n && (l->at[l->k] < upto ||
	    (inclusive && l->at[l->k] == upto)))
		l->ctx[l->k++] = c;
}

static void
push(struct lexer *l, enum frame f)
{
	if (l->top + 1 < MAX_NEST) {
		l->stack[++l->top] = f;
		l->parens[l->top] = 0;
	}
}

static void
pop(struct lexer *l)
{
	if (l->top > 0)
		l->top--;
}

/*
 * A backslash at l->i escapes the next byte: a point right after it is
 * escaped too (the reference's first byte would be).
 */
static void
escape(struct lexer *l)
{
	size_t k = l->k;

	mark(l, l->i + 1, true, PF_SHELL_LITERAL);
	l->i += l->k > k ? 1 : 2;	/* it escapes the point, not the
					   byte after it */
}

/* "<<" at l->i (not "<<<"): notes the here-document its word names. */
static void
heredoc_operator(struct lexer *l)
{
	struct heredoc d = { .len = 0 };
	const char *s = l->s;
	size_t j = l->i + 2;
	char q;

	if (j < l->len && s[j] == '-') {
		d.strip_tabs = true;
		j++;
	}
	while (j < l->len && (s[j] == ' ' || s[j] == '\t'))
		j++;
	while (j < l->len && strchr(" \t\n;&|()<>", s[j]) == NULL) {
		if (s[j] == '\'' || s[j] == '"') {
			d.quoted = true;
			q = s[j++];
			while (j < l->len && s[j] != q) {
				if (q == '"' && s[j] == '\\' && j + 1 < l->len)
					j++;
				if (d.len < MAX_DELIM)
					d.delim[d.len++] = s[j];
				j++;
			}
			j++;
			continue;
		}
		if (s[j] == '\\') {
			d.quoted = true;
			if (++j >= l->len)
				break;
		}
		if (d.len < MAX_DELIM)
			d.delim[d.len++] = s[j];
		j++;
	}
	if (j > l->len)
		j = l->len;
	mark(l, j, false, context(l));
	if (l->ndocs < MAX_HEREDOCS)
		l->docs[l->ndocs++] = d;
	l->i = j;
}

/*
 * After the newline that ends a line with here-document operators: their
 * bodies, one after the other, each up to its delimiter's line.
 */
static void
heredoc_bodies(struct lexer *l)
{
	const struct heredoc *d;
	const char *line, *eol;
	size_t from, end;
	int i;
	bool point;

	for (i = 0; i < l->ndocs; i++) {
		d = &l->docs[i];
		while (l->i < l->len) {
			line = l->s + l->i;
			eol = memchr(line, '\n', l->len - l->i);
			end = eol != NULL ? (size_t)(eol - l->s) : l->len;
			from = l->i;
			if (d->strip_tabs)
				while (from < end && l->s[from] == '\t')
					from++;
			/* A point in the line adds text: not the delimiter. */
			point = l->k < l->n && l->at[l->k] <= end;
			if (!point && end - from == d->len &&
			    memcmp(l->s + from, d->delim, d->len) == 0) {
				l->i = end < l->len ? end + 1 : end;
				break;
			}
			for (from = l->i; from < end; from++) {
				if (d->quoted)
					continue;
				/* The point after an odd run of backslashes
				   is escaped. */
				if (l->s[from] == '\\' && from + 1 <= end) {
					mark(l, from + 1, false,
					    PF_SHELL_HEREDOC);
					mark(l, from + 1, true,
					    PF_SHELL_LITERAL);
					from++;
				}
			}
			mark(l, end, true, d->quoted ? PF_SHELL_LITERAL :
			    PF_SHELL_HEREDOC);
			l->i = end < l->len ? end + 1 : end;
		}
	}
	l->ndocs = 0;
}

/* One step of the lexer in an unquoted frame (top, $(...), `...`). */
static void
unquoted_step(struct lexer *l)
{
	const char *s = l->s;
	size_t i = l->i;
	char c = s[i], next = i + 1 < l->len ? s[i + 1] : '\0';

	l->i++;
	switch (c) {
	case '\\':
		l->i--;
		escape(l);
		break;
	case '\'':
		push(l, F_SINGLE);
		break;
	case '"':
		push(l, F_DOUBLE);
		break;
	case '$':
		if (next == '\'' && l->dollar_single) {
			push(l, F_DOLLAR);
			l->i++;
		} else if (next == '(') {
			push(l, F_SUBST);
			l->i++;
		}
		break;
	case '`':
		if (frame(l) == F_BACKQUOTE)
			pop(l);
		else
			push(l, F_BACKQUOTE);
		break;
	case '(':
		if (frame(l) == F_SUBST)
			l->parens[l->top]++;
		break;
	case ')':
		if (frame(l) == F_SUBST && l->parens[l->top]-- == 0)
			pop(l);
		break;
	case '#':
		if (i == 0 || strchr(" \t\n;&|()<>`", s[i - 1]) != NULL)
			l->comment = true;
		break;
	case '<':
		if (next == '<' && (i + 2 >= l->len || s[i + 2] != '<')) {
			l->i--;
			heredoc_operator(l);
		} else if (next == '<')
			l->i += 2;	/* <<< here-string */
		break;
	case '\n':
		if (l->ndocs > 0)
			heredoc_bodies(l);
		break;
	}
}

void
pf_shell_contexts(const char *script, size_t len, bool dollar_single,
    const size_t *at, size_t n, enum pf_shell_context *ctx)
{
	struct lexer l = {
		.s = script, .len = len, .dollar_single = dollar_single,
		.at = at, .n = n, .ctx = ctx,
	};
	char c;

	while (l.i < l.len) {
		mark(&l, l.i, true, context(&l));
		c = l.s[l.i];
		if (l.comment) {
			if (c == '\n')
				l.comment = false;	/* the newline is read
							   as code */
			else
				l.i++;
			continue;
		}
		if (unquoted(&l)) {
			unquoted_step(&l);
			continue;
		}
		switch (frame(&l)) {
		case F_SINGLE:
			if (c == '\'')
				pop(&l);
			l.i++;
			break;
		case F_DOLLAR:
			if (c == '\\') {
				escape(&l);
				break;
			}
			if (c == '\'')
				pop(&l);
			l.i++;
			break;
		default:	/* F_DOUBLE */
			if (c == '\\') {
				escape(&l);
				break;
			}
			l.i++;
			if (c == '"')
				pop(&l);
			else if (c == '`')
				push(&l, F_BACKQUOTE);
			else if (c == '$' && l.i < l.len && l.s[l.i] == '(') {
				push(&l, F_SUBST);
				l.i++;
			}
			break;
		}
	}
	mark(&l, len, true, context(&l));
}

bool
pf_shell_reference(struct pf_buf *b, enum pf_shell_context ctx,
    const char *name)
{
	const char *open = "\"${", *close = "}\"";

	switch (ctx) {
	case PF_SHELL_LITERAL:
		return false;
	case PF_SHELL_DOUBLE:
	case PF_SHELL_HEREDOC:
		open = "${";
		close = "}";
		break;
	case PF_SHELL_SINGLE:
		open = "'\"${";
		close = "}\"'";
		break;
	case PF_SHELL_DOLLAR_SINGLE:
		open = "'\"${";
		close = "}\"$'";
		break;
	case PF_SHELL_UNQUOTED:
		break;
	}
	pf_buf_adds(b, open);
	pf_buf_adds(b, name);
	pf_buf_adds(b, close);
	return true;
}
