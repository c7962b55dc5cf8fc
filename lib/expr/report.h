/*
 * report.h - messages the tools share: expression errors with a caret.
 */
#ifndef PF_REPORT_H
#define PF_REPORT_H

#include "expr/expr.h"

/*
 * Prints "PROG: MSG", then the expression and a caret under the error's
 * position, to stderr. what is "syntax error" or similar; the caller
 * exits with status 2.
 */
void pf_report_expr_error(const char *src, const struct pf_expr_error *err);

#endif
