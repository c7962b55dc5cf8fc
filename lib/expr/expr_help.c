/*
 * expr_help.c - the expression language in brief, for --help (pfilter,
 * pmap) and "pflow help expressions": the syntax here, the functions
 * from the function table (expr_func.c), so each is said in one place.
 * man/expressions.mdoc is the full reference.
 */
#include <stdio.h>
#include <string.h>

#include "expr/expr_int.h"
#include "support/buf.h"

static const char syntax[] =
"\nExpressions (the same in pfilter, pmap and key lists):\n"
"  fields     name  {any name}  $3 (by position)  $0 (the whole record)\n"
"  literals   42  -3.5  1e3  \"text\" 'text'  /regex/i  true false\n"
"  operators  c ? a : b   || or   && and   ! not   == != < <= > >=\n"
"             =~ !~ (regex)   x in (a, b)   + -   * / %%   -x   a ** b\n"
"             a . b (joins text)   ( )\n";

static const char values[] =
"Values: fields are text; text that is a number counts as one where one is\n"
"needed. Arithmetic on what is not a number, and division by zero, give\n"
"empty; each place in an expression that met such a value is reported once\n"
"at exit (--strict: an error). Comparison is numeric when both sides are\n"
"numbers, byte-wise otherwise; empty against a number is false.\n";

char *
pf_expr_summary(void)
{
	struct pf_buf b = { 0 };
	const struct pf_func *f;
	size_t i, col = 12;
	char line[512];

	snprintf(line, sizeof(line), syntax);
	pf_buf_adds(&b, line);
	pf_buf_adds(&b, "  functions ");
	for (i = 0; (f = pf_func_at(i)) != NULL; i++) {
		if (col + strlen(f->name) + 1 > 78) {
			pf_buf_adds(&b, "\n            ");
			col = 12;
		}
		pf_buf_addc(&b, ' ');
		pf_buf_adds(&b, f->name);
		col += strlen(f->name) + 1;
	}
	pf_buf_adds(&b, "\n  \"pflow help expressions\" says what each does; "
	    "the manual has it all.\n");
	pf_buf_addc(&b, '\0');
	return b.data;
}

void
pf_expr_help(FILE *out)
{
	const struct pf_func *f;
	size_t i;

	fprintf(out, syntax + 1);
	fprintf(out, "%s", values);
	fprintf(out, "Functions:\n");
	for (i = 0; (f = pf_func_at(i)) != NULL; i++) {
		if (strlen(f->synopsis) > 24)
			fprintf(out, "  %s\n  %-24s %s\n", f->synopsis, "",
			    f->help);
		else
			fprintf(out, "  %-24s %s\n", f->synopsis, f->help);
	}
	fprintf(out, "See the EXPRESSIONS section of pfilter(1) or pmap(1) "
	    "for all of it.\n");
}
