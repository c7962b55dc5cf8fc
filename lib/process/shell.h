/*
 * shell.h - commands that are a shell script (sh -c SCRIPT): where the
 * script is, and values quoted for it.
 */
#ifndef PF_SHELL_H
#define PF_SHELL_H

#include <stddef.h>

#include "support/buf.h"

/*
 * When argv (n words) runs a shell on a script given as an argument,
 * "sh -c SCRIPT ...", the index of SCRIPT, else -1. The shell is argv[0]
 * by its basename (sh, bash, dash, zsh, ksh, mksh, ash), and -c may come
 * with other options (bash -ec, bash -o pipefail -c, sh -c -e, sh -c --).
 * A shell started through another command (env sh -c, nice sh -c) is not
 * recognized.
 */
int pf_shell_script_arg(char *const argv[], size_t n);

/*
 * Appends s[0..len) to b quoted for a POSIX shell: in single quotes, a
 * single quote written '\'' (as GNU parallel does). The shell reads it
 * back as exactly s, whatever it holds ($, `, ", \, newlines, spaces).
 */
void pf_shell_quote(struct pf_buf *b, const char *s, size_t len);

#endif
