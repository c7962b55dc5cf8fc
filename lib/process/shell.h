/*
 * shell.h - commands that run a shell script given as an argument
 * (sh -c SCRIPT, env bash -e -c SCRIPT): where the script is, and how a
 * script refers to a value passed beside it, so that no value is ever
 * part of the script's text.
 */
#ifndef PF_SHELL_H
#define PF_SHELL_H

#include <stdbool.h>
#include <stddef.h>

#include "support/buf.h"

/*
 * When argv (n words) runs a shell on a script given as an argument,
 * "... sh -c SCRIPT ...", the index of SCRIPT, else -1; *shell is set to
 * the index of the shell's word. The shell is any word of argv named by
 * its basename sh, bash, dash, zsh, ksh, ksh93, mksh, pdksh, ash, yash,
 * posh or rbash, so a shell started through another command (env sh -c,
 * nice -n 5 bash -c, timeout 9 sh -c, busybox sh -c) is found too. The
 * shell's options follow it: words that start with - or + (-e, +x,
 * --norc, unknown ones), -o/-O and +o/+O taking the next word (-o
 * pipefail), a word after a long option taken as its argument (--rcfile
 * FILE, --init-file FILE), up to "--" or another word. With -c among
 * them (alone or in a cluster: -ec), that word is the script. Erring on
 * the safe side, a word named like a shell and followed by -c is taken
 * for a shell wherever it stands.
 */
int pf_shell_script_arg(char *const argv[], size_t n, size_t *shell);

/* Whether the shell named path (by its basename) reads $'...' quotes. */
bool pf_shell_has_dollar_single(const char *path);

/*
 * Where a point of a shell script is, for the quoting rules: what the
 * text that refers to a variable must look like there.
 */
enum pf_shell_context {
	PF_SHELL_UNQUOTED,	/* also inside $(...), `...`, a comment */
	PF_SHELL_DOUBLE,	/* in "..." */
	PF_SHELL_SINGLE,	/* in '...' */
	PF_SHELL_DOLLAR_SINGLE,	/* in $'...' (bash, zsh, ksh) */
	PF_SHELL_HEREDOC,	/* in a here-document that expands ($x) */
	PF_SHELL_LITERAL,	/* where nothing expands: a quoted
				   here-document (<<'EOF'), or right after
				   a backslash that escapes it */
};

/*
 * Reads script[0..len) as a POSIX shell does for quoting (quotes,
 * backslashes, $'...' when dollar_single, $(...), `...`, comments,
 * here-documents), and sets ctx[k] to the context of the point at
 * offset at[k] (n offsets, ascending, each <= len).
 */
void pf_shell_contexts(const char *script, size_t len, bool dollar_single,
    const size_t *at, size_t n, enum pf_shell_context *ctx);

/*
 * Appends to b the text that, at a point of context ctx, expands to the
 * value of the shell variable name as one word, byte for byte, without
 * field splitting or globbing: "${name}" unquoted, ${name} in double
 * quotes and in an expanding here-document, '"${name}"' in single quotes
 * ('"${name}"$' in $'...'). Returns false, appending nothing, for
 * PF_SHELL_LITERAL: no text expands a variable there.
 */
bool pf_shell_reference(struct pf_buf *b, enum pf_shell_context ctx,
    const char *name);

#endif
