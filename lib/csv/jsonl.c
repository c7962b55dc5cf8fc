/*
 * jsonl.c - JSON Lines input (see jsonl.h): the key table, and a
 * one-pass parser of one object a line into its fields.
 *
 * A value without escapes (most strings, every number and literal, a
 * container without blanks) points into the line; the others are built
 * in the splitter's scratch buffer and found by offset at the end, as
 * record.c does for quoted CSV fields with "". Containers are checked
 * and copied without recursion (a stack of brackets), so any depth is
 * read in bounded stack.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv/jsonl.h"
#include "support/xalloc.h"

/* A field's marks while an object is split. */
static const char unset_mark[1];	/* not in this object (yet) */
static const char empty_value[1];	/* null, or a key it lacks */

struct parse {
	const char	*line;		/* the line, for positions */
	const char	*p, *e;		/* the rest of the line */
	struct pf_buf	*out;		/* unescaped strings, compact text */
	struct pf_buf	 stack;		/* open brackets of a container */
	char		*why;
	size_t		 nwhy;
};

/* A value: in the line (ptr), or in out at off (ptr NULL). */
struct value {
	const char	*ptr;
	size_t		 off, len;
};

static bool
fail(struct parse *ps, const char *what)
{
	snprintf(ps->why, ps->nwhy, "malformed JSON: %s (at byte %zu)", what,
	    (size_t)(ps->p - ps->line) + 1);
	return false;
}

static void
skip_blanks(struct parse *ps)
{
	while (ps->p < ps->e && (*ps->p == ' ' || *ps->p == '\t' ||
	    *ps->p == '\r' || *ps->p == '\n'))
		ps->p++;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The 4 hex digits at p (p + 4 <= e), or -1. */
static long
hex4(const char *p)
{
	long v = 0;
	int i, d;

	for (i = 0; i < 4; i++) {
		if ((d = hex_digit(p[i])) < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static void
add_utf8(struct pf_buf *b, unsigned long c)
{
	char u[4];
	size_t n;

	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | c >> 12);
		u[1] = (char)(0x80 | (c >> 6 & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | c >> 18);
		u[1] = (char)(0x80 | (c >> 12 & 0x3f));
		u[2] = (char)(0x80 | (c >> 6 & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	pf_buf_add(b, u, n);
}

/*
 * Decodes the escapes of the string body [p, close) into out (the
 * body is known to be well formed but for \u digits and surrogates).
 */
static bool
unescape(struct parse *ps, const char *p, const char *close)
{
	const char *run;
	long c, lo;

	while (p < close) {
		for (run = p; p < close && *p != '\\'; p++)
			;
		pf_buf_add(ps->out, run, (size_t)(p - run));
		if (p == close)
			break;
		switch (p[1]) {
		case '"': case '\\': case '/':
			pf_buf_addc(ps->out, p[1]); p += 2; continue;
		case 'b': pf_buf_addc(ps->out, '\b'); p += 2; continue;
		case 'f': pf_buf_addc(ps->out, '\f'); p += 2; continue;
		case 'n': pf_buf_addc(ps->out, '\n'); p += 2; continue;
		case 'r': pf_buf_addc(ps->out, '\r'); p += 2; continue;
		case 't': pf_buf_addc(ps->out, '\t'); p += 2; continue;
		case 'u': break;
		default: return fail(ps, "a bad escape in a string");
		}
		if (close - p < 6 || (c = hex4(p + 2)) < 0)
			return fail(ps, "a bad \\u escape in a string");
		p += 6;
		if (c >= 0xd800 && c <= 0xdbff && close - p >= 6 &&
		    p[0] == '\\' && p[1] == 'u' && (lo = hex4(p + 2)) >= 0xdc00 &&
		    lo <= 0xdfff) {
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			p += 6;
		} else if (c >= 0xd800 && c <= 0xdfff)
			c = 0xfffd;	/* a lone surrogate */
		add_utf8(ps->out, (unsigned long)c);
	}
	return true;
}

/*
 * The string at ps->p (a quote). Its body is v (in the line when it
 * has no escape); with raw, v is instead the string as written, quotes
 * and escapes included (for containers' text).
 */
static bool
parse_string(struct parse *ps, struct value *v, bool raw)
{
	const char *start = ++ps->p, *q;
	bool escaped = false;

	for (q = start; q < ps->e && *q != '"'; q++) {
		if ((unsigned char)*q < 0x20)
			return fail(ps, "a control character in a string");
		if (*q == '\\') {
			escaped = true;
			if (++q == ps->e)
				break;
		}
	}
	if (q >= ps->e)
		return fail(ps, "an unterminated string");
	ps->p = q + 1;
	if (raw) {
		/* Checked for escapes all the same. */
		if (escaped) {
			size_t mark = ps->out->len;

			if (!unescape(ps, start, q))
				return false;
			ps->out->len = mark;
		}
		v->ptr = start - 1;
		v->len = (size_t)(q + 1 - v->ptr);
		return true;
	}
	if (!escaped) {
		v->ptr = start;
		v->len = (size_t)(q - start);
		return true;
	}
	v->ptr = NULL;
	v->off = ps->out->len;
	if (!unescape(ps, start, q))
		return false;
	v->len = ps->out->len - v->off;
	return true;
}

/* A number, true, false or null at ps->p: its text as written. */
static bool
parse_scalar(struct parse *ps, struct value *v)
{
	const char *p = ps->p, *e = ps->e, *digits;

	v->ptr = p;
	if (e - p >= 4 && memcmp(p, "true", 4) == 0)
		p += 4;
	else if (e - p >= 5 && memcmp(p, "false", 5) == 0)
		p += 5;
	else if (e - p >= 4 && memcmp(p, "null", 4) == 0)
		p += 4;
	else {
		if (p < e && *p == '-')
			p++;
		if (p < e && *p == '0')
			p++;
		else if (p < e && *p >= '1' && *p <= '9')
			while (p < e && *p >= '0' && *p <= '9')
				p++;
		else
			return fail(ps, "expected a value");
		if (p < e && *p == '.') {
			for (digits = ++p; p < e && *p >= '0' && *p <= '9'; p++)
				;
			if (p == digits)
				return fail(ps, "a number with no digit after '.'");
		}
		if (p < e && (*p == 'e' || *p == 'E')) {
			p++;
			if (p < e && (*p == '+' || *p == '-'))
				p++;
			for (digits = p; p < e && *p >= '0' && *p <= '9'; p++)
				;
			if (p == digits)
				return fail(ps, "a number with no exponent digit");
		}
	}
	/* What follows a value: a blank, a separator or the end. */
	if (p < e && (*p == '\0' || strchr(" \t\r\n,]}:", *p) == NULL))
		return fail(ps, "expected a value");
	v->len = (size_t)(p - v->ptr);
	ps->p = p;
	return true;
}

/* Adds value v's bytes (in the line or in out) to out. */
static void
copy_value(struct parse *ps, const struct value *v)
{
	if (v->ptr != NULL)
		pf_buf_add(ps->out, v->ptr, v->len);
}

/*
 * The array or object at ps->p: checked, and its compact text added to
 * out (v). Iterative: the open brackets are on ps->stack.
 */
static bool
parse_container(struct parse *ps, struct value *v)
{
	enum { KEY_OR_CLOSE, KEY, COLON, VALUE_OR_CLOSE, VALUE, NEXT } want;
	struct value item;
	char c, top;

	v->ptr = NULL;
	v->off = ps->out->len;
	ps->stack.len = 0;
	want = VALUE;
	for (;;) {
		skip_blanks(ps);
		if (ps->p >= ps->e)
			return fail(ps, "an unterminated array or object");
		c = *ps->p;
		top = ps->stack.len ? ps->stack.data[ps->stack.len - 1] : 0;
		switch (want) {
		case KEY_OR_CLOSE:
			if (c == '}')
				goto close;
			/* FALLTHROUGH */
		case KEY:
			if (c != '"')
				return fail(ps, "expected a key in an object");
			if (!parse_string(ps, &item, true))
				return false;
			copy_value(ps, &item);
			want = COLON;
			continue;
		case COLON:
			if (c != ':')
				return fail(ps, "expected ':' after a key");
			pf_buf_addc(ps->out, ':');
			ps->p++;
			want = VALUE;
			continue;
		case VALUE_OR_CLOSE:
			if (c == ']')
				goto close;
			/* FALLTHROUGH */
		case VALUE:
			if (c == '{' || c == '[') {
				pf_buf_addc(&ps->stack, c);
				pf_buf_addc(ps->out, c);
				ps->p++;
				want = c == '{' ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
				continue;
			}
			if (c == '"' ? !parse_string(ps, &item, true) :
			    !parse_scalar(ps, &item))
				return false;
			copy_value(ps, &item);
			want = NEXT;
			continue;
		case NEXT:
			if (c == ',') {
				pf_buf_addc(ps->out, ',');
				ps->p++;
				want = top == '{' ? KEY : VALUE;
				continue;
			}
			if (c == (top == '{' ? '}' : ']'))
				goto close;
			return fail(ps, top == '{' ? "expected ',' or '}'" :
			    "expected ',' or ']'");
		}
close:
		pf_buf_addc(ps->out, c);
		ps->p++;
		if (--ps->stack.len == 0)
			break;
		want = NEXT;
	}
	v->len = ps->out->len - v->off;
	return true;
}

/* Any value at ps->p (blanks skipped before it). */
static bool
parse_value(struct parse *ps, struct value *v)
{
	skip_blanks(ps);
	if (ps->p >= ps->e)
		return fail(ps, "expected a value");
	if (*ps->p == '"')
		return parse_string(ps, v, false);
	if (*ps->p == '{' || *ps->p == '[')
		return parse_container(ps, v);
	if (!parse_scalar(ps, v))
		return false;
	if (v->len == 4 && memcmp(v->ptr, "null", 4) == 0) {
		v->ptr = empty_value;
		v->len = 0;
	}
	return true;
}

/* The key as text for a message: at most 60 bytes of it. */
static void
key_message(struct parse *ps, const char *what, const char *key,
    size_t len, const char *tail)
{
	snprintf(ps->why, ps->nwhy, "%s \"%.*s%s\"%s", what,
	    (int)(len > 60 ? 60 : len), key, len > 60 ? "..." : "", tail);
}

/*
 * The object that is line [p, e): calls member() for each key (its
 * bytes) with its value. member returns false (having set the message)
 * to stop. Returns true when the whole line is one object.
 */
static bool
parse_object(struct parse *ps,
    bool (*member)(struct parse *, const char *, size_t,
    const struct value *, void *), void *ctx)
{
	struct value key, val;
	const char *kp;

	skip_blanks(ps);
	if (ps->p >= ps->e || *ps->p != '{')
		return fail(ps, "a line is not an object");
	ps->p++;
	skip_blanks(ps);
	if (ps->p < ps->e && *ps->p == '}')
		ps->p++;
	else
		for (;;) {
			skip_blanks(ps);
			if (ps->p >= ps->e || *ps->p != '"')
				return fail(ps, "expected a key in an object");
			if (!parse_string(ps, &key, false))
				return false;
			skip_blanks(ps);
			if (ps->p >= ps->e || *ps->p != ':')
				return fail(ps, "expected ':' after a key");
			ps->p++;
			if (!parse_value(ps, &val))
				return false;
			kp = key.ptr != NULL ? key.ptr : ps->out->data + key.off;
			if (!member(ps, kp, key.len, &val, ctx))
				return false;
			skip_blanks(ps);
			if (ps->p < ps->e && *ps->p == ',') {
				ps->p++;
				continue;
			}
			if (ps->p < ps->e && *ps->p == '}') {
				ps->p++;
				break;
			}
			return fail(ps, "expected ',' or '}'");
		}
	skip_blanks(ps);
	if (ps->p < ps->e)
		return fail(ps, "text after the object");
	return true;
}

struct pf_jsonl_keys *
pf_jsonl_stream_keys(void)
{
	static struct pf_jsonl_keys keys;

	return &keys;
}

struct pf_jsonl_keys *
pf_jsonl_keys_new(void)
{
	return pf_xcalloc(1, sizeof(struct pf_jsonl_keys));
}

void
pf_jsonl_keys_free(struct pf_jsonl_keys *k)
{
	size_t i;

	if (k == NULL)
		return;
	for (i = 0; i < k->n; i++)
		free(k->names[i]);
	free(k->names);
	free(k->lens);
	free(k->slots);
	free(k);
}

static uint64_t
hash_key(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	while (len-- > 0)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

long
pf_jsonl_keys_find(const struct pf_jsonl_keys *k, const char *name,
    size_t len)
{
	size_t i, at;

	if (k->nslots == 0)
		return -1;
	for (i = (size_t)hash_key(name, len) & (k->nslots - 1);
	    (at = k->slots[i]) != 0; i = (i + 1) & (k->nslots - 1))
		if (k->lens[at - 1] == len &&
		    memcmp(k->names[at - 1], name, len) == 0)
			return (long)at - 1;
	return -1;
}

static void
keys_rehash(struct pf_jsonl_keys *k)
{
	size_t i, j;

	while (2 * k->n > k->nslots)
		k->nslots = k->nslots ? k->nslots * 2 : 16;
	free(k->slots);
	k->slots = pf_xcalloc(k->nslots, sizeof(*k->slots));
	for (i = 0; i < k->n; i++) {
		for (j = (size_t)hash_key(k->names[i], k->lens[i]) &
		    (k->nslots - 1); k->slots[j] != 0;
		    j = (j + 1) & (k->nslots - 1))
			;
		k->slots[j] = i + 1;
	}
}

static bool
learn_member(struct parse *ps, const char *key, size_t len,
    const struct value *v, void *ctx)
{
	struct pf_jsonl_keys *k = ctx;

	(void)v;
	if (pf_jsonl_keys_find(k, key, len) >= 0) {
		key_message(ps, "key", key, len, " twice in one object");
		return false;
	}
	k->names = pf_xrealloc(k->names, (k->n + 1) * sizeof(*k->names));
	k->lens = pf_xrealloc(k->lens, (k->n + 1) * sizeof(*k->lens));
	k->names[k->n] = pf_xmalloc(len + 1);
	memcpy(k->names[k->n], key, len);
	k->names[k->n][len] = '\0';
	k->lens[k->n++] = len;
	keys_rehash(k);
	return true;
}

bool
pf_jsonl_keys_learn(struct pf_jsonl_keys *k, const char *line, size_t len,
    char *why, size_t n)
{
	struct pf_buf out = { 0 };
	struct parse ps = { .line = line, .p = line, .e = line + len, .out = &out,
	    .why = why, .nwhy = n };
	bool ok;
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->names[i]);
	k->n = 0;
	if (k->nslots > 0)	/* they name the keys just freed */
		memset(k->slots, 0, k->nslots * sizeof(*k->slots));

	ok = parse_object(&ps, learn_member, k);
	pf_buf_free(&out);
	pf_buf_free(&ps.stack);
	if (ok && k->n == 0) {
		snprintf(why, n, "the first object has no key (the keys of "
		    "the first object are the fields)");
		ok = false;
	}
	return ok;
}

/* pf_split_jsonl's member(): the value goes to its key's field. */
static bool
split_member(struct parse *ps, const char *key, size_t len,
    const struct value *v, void *ctx)
{
	struct pf_splitter *sp = ctx;
	const struct pf_jsonl_keys *k;
	long i;

	k = sp->json_keys;
	if ((i = pf_jsonl_keys_find(k, key, len)) < 0) {
		key_message(ps, "key", key, len, " is not a key of the first "
		    "object (its keys are the fields)");
		return false;
	}
	if (sp->fields[i].ptr != unset_mark) {
		key_message(ps, "key", key, len, " twice in one object");
		return false;
	}
	sp->fields[i].ptr = v->ptr;
	sp->fields[i].len = v->len;
	sp->scratch_at[i] = v->off;
	return true;
}

const char *
pf_split_jsonl(struct pf_splitter *sp, const struct pf_jsonl_keys *k,
    const char *p, const char *end, struct pf_record *rec, size_t *lines,
    enum pf_split_status *status)
{
	const char *lf = memchr(p, '\n', (size_t)(end - p));
	struct parse ps;
	size_t i;

	if (lf == NULL)
		lf = end;
	rec->raw = p;
	rec->raw_len = (size_t)(lf - p);
	if (lf > p && lf[-1] == '\r')
		rec->raw_len--;
	if (lf < end)
		(*lines)++;
	while (sp->cap < k->n + 1) {
		sp->cap = sp->cap ? sp->cap * 2 : 64;
		sp->fields = pf_xrealloc(sp->fields,
		    sp->cap * sizeof(*sp->fields));
		sp->scratch_at = pf_xrealloc(sp->scratch_at,
		    sp->cap * sizeof(*sp->scratch_at));
	}
	for (i = 0; i < k->n; i++) {
		sp->fields[i].ptr = unset_mark;
		sp->fields[i].len = 0;
	}
	sp->scratch.len = 0;
	sp->json_keys = k;
	ps = (struct parse){ .line = p, .p = p, .e = p + rec->raw_len,
	    .out = &sp->scratch,
	    .stack = sp->json_stack, .why = sp->why, .nwhy = sizeof(sp->why) };
	rec->fields = sp->fields;
	if (!parse_object(&ps, split_member, sp)) {
		sp->json_stack = ps.stack;
		*status = PF_SPLIT_JSON;
		rec->nfields = rec->field_count = 0;
		return lf < end ? lf + 1 : end;
	}
	sp->json_stack = ps.stack;
	for (i = 0; i < k->n; i++) {
		if (sp->fields[i].ptr == unset_mark)
			sp->fields[i].ptr = empty_value;
		else if (sp->fields[i].ptr == NULL)
			sp->fields[i].ptr = sp->scratch.data + sp->scratch_at[i];
	}
	rec->nfields = rec->field_count = k->n;
	return lf < end ? lf + 1 : end;
}
