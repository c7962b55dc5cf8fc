/*
 * command_template.c - pmap's argument templates: {} (the raw record),
 * {name} and {3} (a field), {#} (the job number); expanding them with a
 * record's values (on a worker) and making a job's argv of that (in the
 * loop, which knows the job number). In the script of a shell (sh -c
 * SCRIPT) a placeholder becomes a reference to a shell variable that the
 * script's first words set from arguments added after it: a value is
 * never part of the script's text.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map/command_int.h"
#include "process/shell.h"
#include "support/status.h"
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
 * The parts of one argument s: text, and {} placeholders: {} is the raw
 * record, {#} the job number, {NAME} a field, NAME by the field rule
 * (pf_field_lookup: a header name, spaces included, "{a:b}" braced, or a
 * 1-based position). Braces around anything else (awk '{print $1}', a
 * regex's x{3} past the last field) are text: commands use braces too
 * much for an unknown name to be an error. In a shell script (script),
 * ${...} is the shell's. Returns whether a placeholder was found.
 */
static bool
compile_arg(const struct cmd *c, struct targ *t, const char *s, bool script)
{
	const char *arg = s, *open, *close;
	struct part *p;
	enum part_kind kind;
	long field;
	bool any = false;

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
		if (close == open + 1)
			kind = P_RAW;
		else if (close == open + 2 && open[1] == '#')
			kind = P_SEQ;
		else if ((field = pf_field_lookup(c->schema, open + 1,
		    (size_t)(close - open - 1))) >= 0)
			kind = P_FIELD;
		else
			kind = P_TEXT;
		/* No record with --pipe: only {#} is a placeholder. */
		if ((c->mode == MODE_PIPE && kind != P_SEQ) ||
		    (script && open > arg && open[-1] == '$'))
			kind = P_TEXT;
		if (kind == P_TEXT) {
			/* Not a placeholder: text up to the brace. */
			*p = (struct part){ P_TEXT, s, (size_t)(open + 1 - s),
			    -1 };
			t->nparts++;
			s = open + 1;
			continue;
		}
		if (open > s) {
			*p = (struct part){ P_TEXT, s, (size_t)(open - s), -1 };
			p = &t->parts[++t->nparts];
		}
		*p = (struct part){ kind, open, (size_t)(close + 1 - open),
		    field };
		t->nparts++;
		any = true;
		s = close + 1;
	}
	return any;
}

/* The shell variable a value placeholder of a script refers to. */
static void
variable_name(char *name, size_t size, const struct part *p)
{
	if (p->kind == P_RAW)
		snprintf(name, size, "pflow_record");
	else
		snprintf(name, size, "pflow_f%ld", p->field + 1);
}

/* An argument of one part. */
static struct targ
one_part(struct part p)
{
	struct targ t = { pf_xcalloc(1, sizeof(*t.parts)), 1 };

	t.parts[0] = p;
	return t;
}

/*
 * The script c->targs[script] of the shell argv_cmd[shell] holds value
 * placeholders: each distinct one ({}, a field) becomes an argument
 * after the script's $0 (argv_cmd[shell] when the user gave none), the
 * script starts by setting a variable to each and shifting them away,
 * so $0, $1... and $@ are the user's, and each placeholder becomes a
 * reference to its variable, written for the quotes around it
 * (pf_shell_reference). Returns 0, or PF_USAGE for a placeholder where
 * nothing expands.
 */
static int
pass_script_values(struct cmd *c, size_t script, size_t shell)
{
	struct targ *t = &c->targs[script], *targs;
	struct pf_buf text = { 0 }, *gen = &c->script_text;
	struct part *vals, *parts;
	size_t *at, *which, *ref_at, nat = 0, nvals = 0, k, v, i, n, prefix;
	enum pf_shell_context *ctx;
	bool user_zero = script + 1 < c->nargs;
	char name[32];
	int status = 0;

	at = pf_xcalloc(t->nparts, sizeof(*at));
	which = pf_xcalloc(t->nparts, sizeof(*which));
	ref_at = pf_xcalloc(t->nparts + 1, sizeof(*ref_at));
	vals = pf_xcalloc(t->nparts, sizeof(*vals));
	ctx = pf_xcalloc(t->nparts, sizeof(*ctx));
	for (k = 0; k < t->nparts; k++) {
		if (t->parts[k].kind == P_TEXT)
			pf_buf_add(&text, t->parts[k].s, t->parts[k].len);
		if (t->parts[k].kind != P_RAW && t->parts[k].kind != P_FIELD)
			continue;
		for (v = 0; v < nvals && !(vals[v].kind == t->parts[k].kind &&
		    vals[v].field == t->parts[k].field); v++)
			;
		if (v == nvals)
			vals[nvals++] = t->parts[k];
		at[nat] = text.len;
		which[nat++] = v;
	}
	pf_shell_contexts(text.data, text.len,
	    pf_shell_has_dollar_single(c->argv_cmd[shell]), at, nat, ctx);

	/* The generated text: "a=$1 b=$2; shift 2; ", then references. */
	gen->len = 0;
	for (v = 0; v < nvals; v++) {
		variable_name(name, sizeof(name), &vals[v]);
		pf_buf_adds(gen, name);
		snprintf(name, sizeof(name), "=${%zu}%s", v + 1,
		    v + 1 < nvals ? " " : "; ");
		pf_buf_adds(gen, name);
	}
	snprintf(name, sizeof(name), "shift %zu; ", nvals);
	pf_buf_adds(gen, name);
	prefix = gen->len;
	for (i = 0; i < nat; i++) {
		ref_at[i] = gen->len;
		variable_name(name, sizeof(name), &vals[which[i]]);
		if (!pf_shell_reference(gen, ctx[i], name) && status == 0) {
			for (k = 0, n = 0; n <= i; k++)
				n += t->parts[k].kind == P_RAW ||
				    t->parts[k].kind == P_FIELD;
			warnx("%.*s in the script of %s -c: a value cannot be "
			    "passed where nothing expands (a quoted "
			    "here-document, after a backslash); pass it as "
			    "an argument after the script",
			    (int)t->parts[k - 1].len, t->parts[k - 1].s,
			    c->argv_cmd[shell]);
			status = PF_USAGE;
		}
	}
	ref_at[nat] = gen->len;

	/* The script: the prefix, then its parts with references. */
	parts = pf_xcalloc(t->nparts + 1, sizeof(*parts));
	parts[0] = (struct part){ P_TEXT, gen->data, prefix, -1 };
	for (k = 0, i = 0; k < t->nparts; k++) {
		parts[k + 1] = t->parts[k];
		if (t->parts[k].kind == P_RAW || t->parts[k].kind == P_FIELD) {
			parts[k + 1] = (struct part){ P_TEXT,
			    gen->data + ref_at[i], ref_at[i + 1] - ref_at[i],
			    -1 };
			i++;
		}
	}
	free(t->parts);
	t->parts = parts;
	t->nparts++;

	/* The arguments: ..., SCRIPT, $0, the values, the user's $1... */
	n = c->nargs + nvals + !user_zero;
	targs = pf_xcalloc(n, sizeof(*targs));
	memcpy(targs, c->targs, (script + 1 + user_zero) * sizeof(*targs));
	i = script + 1;
	if (!user_zero)
		targs[i] = one_part((struct part){ P_TEXT, c->argv_cmd[shell],
		    strlen(c->argv_cmd[shell]), -1 });
	i++;
	for (v = 0; v < nvals; v++)
		targs[i++] = one_part(vals[v]);
	memcpy(targs + i, c->targs + script + 1 + user_zero,
	    (c->nargs - script - 1 - user_zero) * sizeof(*targs));
	free(c->targs);
	c->targs = targs;
	c->nargs = n;

	pf_buf_free(&text);
	free(at);
	free(which);
	free(ref_at);
	free(vals);
	free(ctx);
	return status;
}

/*
 * Cuts each argument into text and placeholders (compile_arg); in the
 * script of a shell, values are passed beside the script
 * (pass_script_values). Returns 0, or PF_USAGE.
 */
int
cmd_compile_templates(struct cmd *c)
{
	size_t i, shell = 0;
	int script;
	bool found, any = false, in_script = false;

	script = pf_shell_script_arg(c->argv_cmd, c->nargs, &shell);
	c->targs = pf_xcalloc(c->nargs, sizeof(*c->targs));
	for (i = 0; i < c->nargs; i++) {
		found = compile_arg(c, &c->targs[i], c->argv_cmd[i],
		    (int)i == script);
		any |= found;
		in_script |= found && (int)i == script;
	}
	c->append_raw = c->mode == MODE_RECORD && !any;
	if (!in_script)
		return 0;
	for (i = 0; i < c->targs[script].nparts; i++)
		if (c->targs[script].parts[i].kind == P_RAW ||
		    c->targs[script].parts[i].kind == P_FIELD)
			return pass_script_values(c, (size_t)script, shell);
	return 0;
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
					pf_buf_add(b, rec->raw, rec->raw_len);
				break;
			case P_SEQ:
				at = (uint32_t)b->len;
				pf_buf_add(seqs, (const char *)&at, sizeof(at));
				break;
			case P_FIELD:
				if (rec != NULL && (size_t)p->field < rec->nfields)
					pf_buf_add(b, rec->fields[p->field].ptr,
					    rec->fields[p->field].len);
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
