/*
 * json_value.c - JSON values (see json_value.h): strings unescaped,
 * numbers and literals checked and kept as written, arrays and objects
 * checked and kept as compact text; and the elements of an array, for
 * pmap --explode.
 *
 * A value without escapes (most strings, every number and literal, a
 * container without blanks) points into the text; the others are built
 * in the caller's buffer and found by offset, as record.c does for
 * quoted CSV fields with "". Containers are checked and copied without
 * recursion (a stack of brackets), so any depth is read in bounded stack.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv/json_value.h"
#include "support/xalloc.h"

static const char null_value[1];	/* null: empty */

bool
pf_json_fail(struct pf_json_parse *ps, const char *what)
{
	snprintf(ps->why, ps->nwhy, "malformed JSON: %s (at byte %zu)", what,
	    (size_t)(ps->p - ps->line) + 1);
	return false;
}

void
pf_json_skip_blanks(struct pf_json_parse *ps)
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
 * Adds character c to b in UTF-8, or, with escape, as compact JSON
 * writes it inside a string (Python's json.dumps with ensure_ascii=False):
 * a quote, a backslash and a control character escaped.
 */
static void
add_char(struct pf_buf *b, unsigned long c, bool escape)
{
	static const char hex[] = "0123456789abcdef";

	if (!escape || (c != '"' && c != '\\' && c >= 0x20)) {
		add_utf8(b, c);
		return;
	}
	pf_buf_addc(b, '\\');
	switch (c) {
	case '"': case '\\': pf_buf_addc(b, (char)c); break;
	case '\b': pf_buf_addc(b, 'b'); break;
	case '\f': pf_buf_addc(b, 'f'); break;
	case '\n': pf_buf_addc(b, 'n'); break;
	case '\r': pf_buf_addc(b, 'r'); break;
	case '\t': pf_buf_addc(b, 't'); break;
	default:
		pf_buf_add(b, "u00", 3);
		pf_buf_addc(b, hex[c >> 4]);
		pf_buf_addc(b, hex[c & 15]);
	}
}

/*
 * Decodes the escapes of the string body [p, close) into out (the
 * body is known to be well formed but for \u digits and surrogates);
 * with escape, writes it again as compact JSON does (see add_char()).
 */
static bool
unescape(struct pf_json_parse *ps, const char *p, const char *close,
    bool escape)
{
	const char *run;
	long c, lo;

	while (p < close) {
		for (run = p; p < close && *p != '\\'; p++)
			;
		pf_buf_add(ps->out, run, (size_t)(p - run));
		if (p == close)
			break;
		if (p[1] != 'u') {
			switch (p[1]) {
			case '"': case '\\': case '/': c = p[1]; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			default:
				return pf_json_fail(ps,
				    "a bad escape in a string");
			}
			p += 2;
			add_char(ps->out, (unsigned long)c, escape);
			continue;
		}
		if (close - p < 6 || (c = hex4(p + 2)) < 0)
			return pf_json_fail(ps, "a bad \\u escape in a string");
		p += 6;
		if (c >= 0xd800 && c <= 0xdbff && close - p >= 6 &&
		    p[0] == '\\' && p[1] == 'u' &&
		    (lo = hex4(p + 2)) >= 0xdc00 && lo <= 0xdfff) {
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			p += 6;
		} else if (c >= 0xd800 && c <= 0xdfff)
			c = 0xfffd;	/* a lone surrogate */
		add_char(ps->out, (unsigned long)c, escape);
	}
	return true;
}

/*
 * The string at ps->p (a quote). Its body is v (in the line when it
 * has no escape); with raw, v is instead the string as written, quotes
 * and escapes included (for containers' text), or with ps->dumps as
 * json.dumps writes it (the same when it has no escape).
 */
bool
pf_json_parse_string(struct pf_json_parse *ps, struct pf_json_value *v,
    bool raw)
{
	const char *start = ++ps->p, *q;
	bool escaped = false;

	for (q = start; q < ps->e && *q != '"'; q++) {
		if ((unsigned char)*q < 0x20)
			return pf_json_fail(ps,
			    "a control character in a string");
		if (*q == '\\') {
			escaped = true;
			if (++q == ps->e)
				break;
		}
	}
	if (q >= ps->e)
		return pf_json_fail(ps, "an unterminated string");
	ps->p = q + 1;
	if (raw && escaped && ps->dumps) {
		v->ptr = NULL;
		v->off = ps->out->len;
		pf_buf_addc(ps->out, '"');
		if (!unescape(ps, start, q, true))
			return false;
		pf_buf_addc(ps->out, '"');
		v->len = ps->out->len - v->off;
		return true;
	}
	if (raw) {
		/* Checked for escapes all the same. */
		if (escaped) {
			size_t mark = ps->out->len;

			if (!unescape(ps, start, q, false))
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
	if (!unescape(ps, start, q, false))
		return false;
	v->len = ps->out->len - v->off;
	return true;
}

/* Whether c may follow a scalar: a blank, a separator. */
static inline bool
ends_value(char c)
{
	switch (c) {
	case ' ': case '\t': case '\r': case '\n':
	case ',': case ']': case '}': case ':':
		return true;
	default:
		return false;
	}
}

/* A number, true, false or null at ps->p: its text as written. */
static bool
parse_scalar(struct pf_json_parse *ps, struct pf_json_value *v)
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
			return pf_json_fail(ps, "expected a value");
		if (p < e && *p == '.') {
			for (digits = ++p; p < e && *p >= '0' && *p <= '9'; p++)
				;
			if (p == digits)
				return pf_json_fail(ps,
				    "a number with no digit after '.'");
		}
		if (p < e && (*p == 'e' || *p == 'E')) {
			p++;
			if (p < e && (*p == '+' || *p == '-'))
				p++;
			for (digits = p; p < e && *p >= '0' && *p <= '9'; p++)
				;
			if (p == digits)
				return pf_json_fail(ps,
				    "a number with no exponent digit");
		}
	}
	/* What follows a value: a blank, a separator or the end. */
	if (p < e && !ends_value(*p))
		return pf_json_fail(ps, "expected a value");
	v->len = (size_t)(p - v->ptr);
	ps->p = p;
	return true;
}

/* Adds value v's bytes (in the line or in out) to out. */
static void
copy_value(struct pf_json_parse *ps, const struct pf_json_value *v)
{
	if (v->ptr != NULL)
		pf_buf_add(ps->out, v->ptr, v->len);
}

/*
 * The array or object at ps->p: checked, and its compact text added to
 * out (v). Iterative: the open brackets are on ps->stack.
 */
static bool
parse_container(struct pf_json_parse *ps, struct pf_json_value *v)
{
	enum { KEY_OR_CLOSE, KEY, COLON, VALUE_OR_CLOSE, VALUE, NEXT } want;
	struct pf_json_value item;
	char c, top;

	v->ptr = NULL;
	v->off = ps->out->len;
	ps->stack.len = 0;
	want = VALUE;
	for (;;) {
		pf_json_skip_blanks(ps);
		if (ps->p >= ps->e)
			return pf_json_fail(ps,
			    "an unterminated array or object");
		c = *ps->p;
		top = ps->stack.len ? ps->stack.data[ps->stack.len - 1] : 0;
		switch (want) {
		case KEY_OR_CLOSE:
			if (c == '}')
				goto close;
			/* FALLTHROUGH */
		case KEY:
			if (c != '"')
				return pf_json_fail(ps,
				    "expected a key in an object");
			if (!pf_json_parse_string(ps, &item, true))
				return false;
			copy_value(ps, &item);
			want = COLON;
			continue;
		case COLON:
			if (c != ':')
				return pf_json_fail(ps,
				    "expected ':' after a key");
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
			if (c == '"' ? !pf_json_parse_string(ps, &item, true) :
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
			return pf_json_fail(ps, top == '{' ?
			    "expected ',' or '}'" : "expected ',' or ']'");
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
bool
pf_json_parse_value(struct pf_json_parse *ps, struct pf_json_value *v)
{
	pf_json_skip_blanks(ps);
	if (ps->p >= ps->e)
		return pf_json_fail(ps, "expected a value");
	if (*ps->p == '"') {
		v->kind = PF_JSON_STRING;
		return pf_json_parse_string(ps, v, false);
	}
	v->kind = PF_JSON_LITERAL;
	if (*ps->p == '{' || *ps->p == '[')
		return parse_container(ps, v);
	if (!parse_scalar(ps, v))
		return false;
	if (v->len == 4 && memcmp(v->ptr, "null", 4) == 0) {
		v->ptr = null_value;
		v->len = 0;
		v->kind = PF_JSON_NULL;
	}
	return true;
}

bool
pf_json_array_each(const char *s, size_t len, struct pf_buf *value,
    struct pf_buf *stack,
    void (*each)(void *ctx, const char *elem, size_t len,
    enum pf_json_kind kind), void *ctx)
{
	char why[128];
	struct pf_json_parse ps = { .line = s, .p = s, .e = s + len,
	    .out = value, .stack = *stack, .why = why, .nwhy = sizeof(why),
	    .dumps = true };
	struct pf_json_value v;
	bool ok = false;

	pf_json_skip_blanks(&ps);
	if (ps.p == ps.e || *ps.p != '[')
		goto out;
	ps.p++;
	pf_json_skip_blanks(&ps);
	if (ps.p < ps.e && *ps.p == ']') {
		ps.p++;
		pf_json_skip_blanks(&ps);
		ok = ps.p == ps.e;
		goto out;
	}
	for (;;) {
		value->len = 0;
		if (!pf_json_parse_value(&ps, &v))
			break;
		each(ctx, v.ptr != NULL ? v.ptr : value->data + v.off, v.len,
		    v.kind);
		pf_json_skip_blanks(&ps);
		if (ps.p < ps.e && *ps.p == ',') {
			ps.p++;
			continue;
		}
		if (ps.p < ps.e && *ps.p == ']') {
			ps.p++;
			pf_json_skip_blanks(&ps);
			ok = ps.p == ps.e;
		}
		break;
	}
out:
	*stack = ps.stack;
	return ok;
}
