/*
 * expr_func_text.c - the text functions of the expression language: len,
 * lower, upper, trim, substr, replace (see expr.h).
 *
 * Text is bytes, read as UTF-8 where it is valid: an invalid byte counts
 * as one character and is copied through unchanged.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "expr/expr_func.h"
#include "support/xalloc.h"

/* UTF-8 */

/*
 * Decodes the character at s (len > 0 bytes left). Returns its length, and
 * sets *cp, or -1 for an invalid byte (then the length is 1).
 */
static size_t
utf8_decode(const unsigned char *s, size_t len, int32_t *cp)
{
	unsigned char c = s[0];
	size_t n, k;
	int32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2; v = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3; v = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4; v = c & 0x07; min = 0x10000;
	} else
		goto invalid;
	if (len < n)
		goto invalid;
	for (k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			goto invalid;
		v = (v << 6) | (s[k] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		goto invalid;
	*cp = v;
	return n;
invalid:
	*cp = -1;
	return 1;
}

size_t
utf8_char_len(const char *s, size_t len)
{
	int32_t cp;

	return utf8_decode((const unsigned char *)s, len, &cp);
}

static size_t
utf8_encode(int32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Length in bytes of the character at s (1 for an invalid byte). */
static size_t
utf8_charlen(const char *s, size_t len)
{
	int32_t cp;

	if ((unsigned char)s[0] < 0x80)
		return 1;
	return utf8_decode((const unsigned char *)s, len, &cp);
}

/* Text functions */

void
fn_len(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	const char *s;
	size_t len, i = 0;
	int64_t chars = 0;

	arg_text(ev, e, n, 0, rec, &s, &len);
	while (i < len) {
		i += utf8_charlen(s + i, len - i);
		chars++;
	}
	pf_set_int(out, chars);
}

static locale_t
utf8_locale(struct pf_eval *ev)
{
	static const char *names[] = { "C.UTF-8", "C.utf8", "en_US.UTF-8" };
	size_t i;

	if (!ev->utf8_tried) {
		ev->utf8_tried = true;
		for (i = 0; i < 3 && ev->utf8 == (locale_t)0; i++)
			ev->utf8 = newlocale(LC_CTYPE_MASK, names[i], (locale_t)0);
	}
	return ev->utf8;
}

static void
map_case(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out, bool upper)
{
	const char *s;
	size_t len, i, o = 0, k;
	locale_t loc = (locale_t)0;
	char *p;
	int32_t cp;

	arg_text(ev, e, n, 0, rec, &s, &len);
	/* A case change grows a character by at most half: 2 -> 3 bytes. */
	p = pf_scratch_alloc(ev, len * 2);
	for (i = 0; i < len; i += k) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80) {
			if (upper && c >= 'a' && c <= 'z')
				c -= 'a' - 'A';
			else if (!upper && c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			p[o++] = (char)c;
			k = 1;
			continue;
		}
		k = utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (cp >= 0 && (loc != (locale_t)0 ||
		    (loc = utf8_locale(ev)) != (locale_t)0)) {
			int32_t m = (int32_t)(upper ? towupper_l((wint_t)cp, loc) :
			    towlower_l((wint_t)cp, loc));

			if (m > 0 && m <= 0x10ffff && !(m >= 0xd800 && m <= 0xdfff))
				cp = m;
			o += utf8_encode(cp, p + o);
		} else {
			memcpy(p + o, s + i, k);
			o += k;
		}
	}
	pf_set_str(out, p, o);
}

void
fn_lower(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	map_case(ev, e, n, rec, out, false);
}

void
fn_upper(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	map_case(ev, e, n, rec, out, true);
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

void
fn_trim(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	const char *s;
	size_t len;

	arg_text(ev, e, n, 0, rec, &s, &len);
	while (len > 0 && is_space(s[0])) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	pf_set_str(out, s, len);
}

/* Byte offset of 1-based character position pos (clipped to the end). */
static size_t
char_offset(const char *s, size_t len, double pos)
{
	size_t i = 0;
	double c;

	for (c = 1; c < pos && i < len; c++)
		i += utf8_charlen(s + i, len - i);
	return i;
}

void
fn_substr(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	struct pf_number start, count;
	const char *s;
	size_t len, from_at, to_at;
	double from, to;

	arg_text(ev, e, n, 0, rec, &s, &len);
	if (!arg_number(ev, e, n, 1, rec, &start) || isnan(start.d)) {
		set_empty(out);
		return;
	}
	from = trunc(start.d);
	to = INFINITY;			/* exclusive */
	if (n->nargs > 2) {
		if (!arg_number(ev, e, n, 2, rec, &count) || isnan(count.d)) {
			set_empty(out);
			return;
		}
		to = from + trunc(count.d);
	}
	if (from < 1)
		from = 1;
	if (to <= from || from > (double)len + 1) {
		set_empty(out);
		return;
	}
	from_at = char_offset(s, len, from);
	to_at = isinf(to) ? len :
	    from_at + char_offset(s + from_at, len - from_at, to - from + 1);
	pf_set_str(out, s + from_at, to_at - from_at);
}

/* Appends repl to b with $0..$9 taken from the match in ov. */
static void
expand_replacement(struct pf_buf *b, const char *repl, size_t rlen,
    const char *s, const PCRE2_SIZE *ov, int ngroups)
{
	size_t i;

	for (i = 0; i < rlen; i++) {
		char c = repl[i];

		if (c == '$' && i + 1 < rlen && repl[i + 1] == '$') {
			pf_buf_addc(b, '$');
			i++;
		} else if (c == '$' && i + 1 < rlen &&
		    repl[i + 1] >= '0' && repl[i + 1] <= '9') {
			int g = repl[++i] - '0';

			if (g < ngroups && ov[2 * g] != PCRE2_UNSET)
				pf_buf_add(b, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
		} else
			pf_buf_addc(b, c);
	}
}

void
fn_replace(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	const char *s, *repl;
	size_t len, rlen, off = 0, ms, me;
	const pcre2_code *re;
	PCRE2_SIZE *ov;
	struct pf_buf *b = &ev->work;
	bool matched = false;
	int rc;

	arg_text(ev, e, n, 0, rec, &s, &len);
	re = pf_eval_regex(ev, e, e->args[n->args + 1], rec);
	arg_text(ev, e, n, 2, rec, &repl, &rlen);
	if (re == NULL) {
		pf_set_str(out, s, len);
		return;
	}
	b->len = 0;
	while (off <= len) {
		rc = pf_regex_match(ev, re, s, len, off);
		if (rc < 0)
			break;
		matched = true;
		ov = pcre2_get_ovector_pointer(ev->md);
		ms = ov[0] < off ? off : ov[0];
		me = ov[1] < ms ? ms : ov[1];
		pf_buf_add(b, s + off, ms - off);
		expand_replacement(b, repl, rlen, s, ov, rc == 0 ? 10 : rc);
		if (me > ms) {
			off = me;
			continue;
		}
		/* An empty match: keep the next character and move past it. */
		if (ms >= len) {
			off = len + 1;
			break;
		}
		me = ms + utf8_charlen(s + ms, len - ms);
		pf_buf_add(b, s + ms, me - ms);
		off = me;
	}
	if (!matched) {
		pf_set_str(out, s, len);
		return;
	}
	if (off < len)
		pf_buf_add(b, s + off, len - off);
	pf_set_str(out, pf_scratch_copy(ev, b->data, b->len), b->len);
}
