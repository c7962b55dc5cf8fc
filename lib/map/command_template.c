/*
 * command_template.c - pmap's argument templates: {} (the raw record),
 * {name} and {3} (a field), {#} (the job number); expanding them with a
 * record's values (on a worker) and making a job's argv of that (in the
 * loop, which knows the job number), quoting values that go into a sh -c
 * script.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map/command_int.h"
#include "process/shell.h"
#include "support/xalloc.h"

/*
 * Where the placeholder that opens at open ends: the first '}', or for
 * "{{" the first "}}" (a braced name, "{{a:b}}"); NULL if none.
 */
static const char *
placeholder_end(const char *open)
{
	const char *close;

	if (open[1] == '{' && (close = strstr(open + 2, "}}")) != NULL)
		return close + 1;
	return strchr(open + 1, '}');
}

/*
 * Cuts each argument into text and {} placeholders: {} is the raw record,
 * {#} the job number, {NAME} a field, NAME by the field rule
 * (pf_field_lookup: a header name, spaces included, "{a:b}" braced, or a
 * 1-based position). Braces around anything else (awk '{print $1}', a
 * regex's x{3} past the last field) are text: commands use braces too
 * much for an unknown name to be an error.
 */
void
cmd_compile_templates(struct cmd *c)
{
	const char *s, *open, *close;
	struct targ *t;
	struct part *p;
	size_t i;
	long field;
	int script;
	bool any = false;

	c->targs = pf_xcalloc(c->nargs, sizeof(*c->targs));
	for (i = 0; i < c->nargs; i++) {
		t = &c->targs[i];
		s = c->argv_cmd[i];
		t->parts = pf_xcalloc(strlen(s) + 1, sizeof(*t->parts));
		while (*s != '\0') {
			p = &t->parts[t->nparts];
			open = strchr(s, '{');
			close = open != NULL ? placeholder_end(open) : NULL;
			if (open == NULL || close == NULL) {
				*p = (struct part){ P_TEXT, s, strlen(s), -1 };
				t->nparts++;
				break;
			}
			field = -1;
			if (c->mode == MODE_PIPE &&
			    !(close == open + 2 && open[1] == '#')) {
				/* No record: only {#} is a placeholder. */
				*p = (struct part){ P_TEXT, s,
				    (size_t)(open + 1 - s), -1 };
				t->nparts++;
				s = open + 1;
				continue;
			}
			if (close == open + 1)
				p->kind = P_RAW;
			else if (close == open + 2 && open[1] == '#')
				p->kind = P_SEQ;
			else if ((field = pf_field_lookup(c->schema, open + 1,
			    (size_t)(close - open - 1))) >= 0)
				p->kind = P_FIELD;
			else {
				/* Not a placeholder: text up to the brace. */
				*p = (struct part){ P_TEXT, s,
				    (size_t)(open + 1 - s), -1 };
				t->nparts++;
				s = open + 1;
				continue;
			}
			if (open > s) {
				*p = (struct part){ P_TEXT, s,
				    (size_t)(open - s), -1 };
				p = &t->parts[++t->nparts];
				p->kind = close == open + 1 ? P_RAW :
				    close == open + 2 && open[1] == '#' ? P_SEQ :
				    P_FIELD;
			}
			p->field = field;
			t->nparts++;
			any = true;
			s = close + 1;
		}
	}
	c->append_raw = c->mode == MODE_RECORD && !any;
	/* sh -c SCRIPT parses SCRIPT: values go into it quoted. */
	if ((script = pf_shell_script_arg(c->argv_cmd, c->nargs)) >= 0)
		c->targs[script].shell = true;
}

/* Appends a value to an argument: quoted when the argument is a script. */
static void
add_value(struct pf_buf *b, const struct targ *t, const char *s, size_t len)
{
	if (t->shell)
		pf_shell_quote(b, s, len);
	else
		pf_buf_add(b, s, len);
}

/*
 * Expands the templates with rec's fields (rec may be NULL) into args,
 * each argument ended by a NUL; {#} is left out, its offsets in args
 * appended to seqs (uint32_t each). Runs on the workers: reads c only.
 */
void
cmd_expand_args(const struct cmd *c, struct pf_buf *b, struct pf_buf *seqs,
    const struct pf_record *rec)
{
	const struct part *p;
	size_t i, k;
	uint32_t at;

	b->len = 0;
	seqs->len = 0;
	for (i = 0; i < c->nargs; i++) {
		for (k = 0; k < c->targs[i].nparts; k++) {
			p = &c->targs[i].parts[k];
			switch (p->kind) {
			case P_TEXT:
				pf_buf_add(b, p->s, p->len);
				break;
			case P_RAW:
				if (rec != NULL)
					add_value(b, &c->targs[i], rec->raw,
					    rec->raw_len);
				break;
			case P_SEQ:
				at = (uint32_t)b->len;
				pf_buf_add(seqs, (const char *)&at, sizeof(at));
				break;
			case P_FIELD:
				if (rec != NULL && (size_t)p->field < rec->nfields)
					add_value(b, &c->targs[i],
					    rec->fields[p->field].ptr,
					    rec->fields[p->field].len);
				else if (c->targs[i].shell)
					pf_buf_add(b, "''", 2);
				break;
			}
		}
		pf_buf_addc(b, '\0');
	}
	if (c->append_raw && rec != NULL) {
		pf_buf_add(b, rec->raw, rec->raw_len);
		pf_buf_addc(b, '\0');
	}
}

/*
 * Makes j->argv of expanded arguments (args[0..len), NUL-ended), with the
 * job number put in at the nseq offsets seqs (ascending).
 */
void
cmd_set_argv(struct cmd *c, struct job *j, const char *args, size_t len,
    const char *seqs, size_t nseq)
{
	struct pf_buf *b = &j->argbuf;
	size_t i, n, from = 0, numlen;
	char num[24];
	uint32_t at;

	(void)c;
	numlen = (size_t)snprintf(num, sizeof(num), "%llu",
	    (unsigned long long)j->seq);
	b->len = 0;
	for (i = 0; i < nseq; i++) {
		memcpy(&at, seqs + i * sizeof(at), sizeof(at));
		pf_buf_add(b, args + from, at - from);
		pf_buf_add(b, num, numlen);
		from = at;
	}
	pf_buf_add(b, args + from, len - from);
	for (n = 0, i = 0; i < b->len; i++)
		n += b->data[i] == '\0';
	if (j->argv_cap < n + 1) {
		j->argv_cap = n + 1;
		j->argv = pf_xrealloc(j->argv, j->argv_cap * sizeof(char *));
	}
	for (n = 0, i = 0; i < b->len; i += strlen(b->data + i) + 1)
		j->argv[n++] = b->data + i;
	j->argv[n] = NULL;
}

/* Fills j->argv from the templates, with rec's fields (rec may be NULL). */
void
cmd_build_argv(struct cmd *c, struct job *j, const struct pf_record *rec)
{
	cmd_expand_args(c, &c->scratch, &c->scratch_seqs, rec);
	cmd_set_argv(c, j, c->scratch.data, c->scratch.len,
	    c->scratch_seqs.data,
	    c->scratch_seqs.len / sizeof(uint32_t));
}

/*
 * Whether a value that goes into an argument holds a NUL byte: the
 * argument would end there, so the command is not run (xargs warns).
 * Fields are cut from the raw record, so a record without a NUL (nearly
 * all) costs one memchr().
 */
bool
cmd_args_hold_nul(const struct cmd *c, const struct pf_record *rec)
{
	const struct part *p;
	const struct pf_field *f;
	size_t i, k;

	if (rec->raw_len == 0 || memchr(rec->raw, '\0', rec->raw_len) == NULL)
		return false;
	if (c->append_raw)
		return true;
	for (i = 0; i < c->nargs; i++)
		for (k = 0; k < c->targs[i].nparts; k++) {
			p = &c->targs[i].parts[k];
			if (p->kind == P_RAW)
				return true;
			if (p->kind != P_FIELD || (size_t)p->field >=
			    rec->nfields)
				continue;
			f = &rec->fields[p->field];
			if (f->len > 0 && memchr(f->ptr, '\0', f->len) != NULL)
				return true;
		}
	return false;
}
