/*
 * expr_func_format.c - format(fmt, ...), printf's conversions on values:
 * the format is checked when the expression is compiled (it must be a
 * string literal; a conversion it does not know, or a count of arguments
 * that does not match, is a usage error) and read again per record.
 *
 * Conversions: %d %i (integer), %x %X %o (integer in base 16 or 8, a
 * negative one with a sign, as Python has it), %f %F %e %E %g %G
 * (double), %s (text; width and precision count characters), %%; flags
 * - + space # 0, a width and a precision up to 10000. A number conversion
 * of a value that is not a number gives empty, noted (notes.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "expr/expr_func.h"

#define MAX_WIDTH 10000

struct spec {
	char	flags[6];	/* the flags, NUL-terminated */
	int	width, prec;	/* -1: none */
	char	conv;
};

/* Reads the conversion after the '%' at fmt[*i]; false if malformed. */
static bool
read_spec(const char *fmt, size_t len, size_t *i, struct spec *sp)
{
	size_t k = *i, nf = 0;

	sp->width = sp->prec = -1;
	while (k < len && strchr("-+ #0", fmt[k]) != NULL && fmt[k] != '\0') {
		if (nf < sizeof(sp->flags) - 1)
			sp->flags[nf++] = fmt[k];
		k++;
	}
	sp->flags[nf] = '\0';
	if (k < len && fmt[k] >= '0' && fmt[k] <= '9')
		for (sp->width = 0; k < len && fmt[k] >= '0' && fmt[k] <= '9'; k++)
			if ((sp->width = sp->width * 10 + fmt[k] - '0') > MAX_WIDTH)
				return false;
	if (k < len && fmt[k] == '.') {
		for (sp->prec = 0, k++; k < len && fmt[k] >= '0' && fmt[k] <= '9'; k++)
			if ((sp->prec = sp->prec * 10 + fmt[k] - '0') > MAX_WIDTH)
				return false;
	}
	if (k >= len || fmt[k] == '\0' || strchr("diouxXfFeEgGs%", fmt[k]) == NULL)
		return false;
	sp->conv = fmt[k];
	*i = k + 1;
	return true;
}

static bool
has_flag(const struct spec *sp, char f)
{
	return strchr(sp->flags, f) != NULL;
}

/* Pads body (with its sign/prefix of plen bytes) to the width. */
static void
put_padded(struct pf_buf *b, const struct spec *sp, const char *body,
    size_t len, size_t plen, size_t chars)
{
	size_t w = sp->width > 0 ? (size_t)sp->width : 0, pad;

	pad = w > chars ? w - chars : 0;
	if (has_flag(sp, '-')) {
		pf_buf_add(b, body, len);
		while (pad-- > 0)
			pf_buf_addc(b, ' ');
	} else if (has_flag(sp, '0') && sp->conv != 's') {
		pf_buf_add(b, body, plen);
		while (pad-- > 0)
			pf_buf_addc(b, '0');
		pf_buf_add(b, body + plen, len - plen);
	} else {
		while (pad-- > 0)
			pf_buf_addc(b, ' ');
		pf_buf_add(b, body, len);
	}
}

/* %d %i %o %x %X of an integer (a sign, then the digits of |v|). */
static void
put_int(struct pf_buf *b, const struct spec *sp, int64_t v)
{
	char digs[80], body[120];
	const char *alphabet = sp->conv == 'X' ? "0123456789ABCDEF" :
	    "0123456789abcdef";
	unsigned base = sp->conv == 'o' ? 8 : sp->conv == 'x' ||
	    sp->conv == 'X' ? 16 : 10;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, k = 0, plen;
	struct spec s2 = *sp;

	do {
		digs[n++] = alphabet[u % base];
		u /= base;
	} while (u > 0);
	if (sp->prec == 0 && v == 0)
		n = 0;
	if (v < 0)
		body[k++] = '-';
	else if (has_flag(sp, '+'))
		body[k++] = '+';
	else if (has_flag(sp, ' '))
		body[k++] = ' ';
	if (has_flag(sp, '#') && base == 16) {	/* 0x0, as Python has it */
		body[k++] = '0';
		body[k++] = sp->conv;
	}
	if (has_flag(sp, '#') && base == 8 && sp->prec <= (int)n &&
	    (n == 0 || digs[n - 1] != '0'))
		digs[n++] = '0';
	plen = k;
	if (sp->prec >= 0) {	/* a precision turns off the 0 flag */
		char *f = strchr(s2.flags, '0');

		if (f != NULL)
			memmove(f, f + 1, strlen(f));
	}
	/* Leading zeros to the precision, which is at most MAX_WIDTH. */
	{
		struct pf_buf tmp = { 0 };
		size_t z = sp->prec > (int)n ? (size_t)sp->prec - n : 0;

		pf_buf_add(&tmp, body, plen);
		while (z-- > 0)
			pf_buf_addc(&tmp, '0');
		while (n > 0)
			pf_buf_addc(&tmp, digs[--n]);
		put_padded(b, &s2, tmp.data, tmp.len, plen, tmp.len);
		pf_buf_free(&tmp);
	}
}

/*
 * The common "%.2f" without snprintf: d scaled by 10^prec and rounded,
 * when that rounding cannot be a tie (the product's error is under one
 * ulp, so a fraction far enough from .5 rounds as the exact value
 * does); false to leave it to snprintf.
 */
static bool
fast_fixed(struct pf_buf *b, const struct spec *sp, double d)
{
	static const double p10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	    1e8, 1e9 };
	static const uint64_t u10[] = { 1, 10, 100, 1000, 10000, 100000,
	    1000000, 10000000, 100000000, 1000000000 };
	double a = fabs(d), r, fl, fr;
	char digs[40];
	uint64_t v, ip, fp;
	int k = 0, i, prec = sp->prec;

	if (sp->conv != 'f' || sp->flags[0] != '\0' || sp->width > 0 ||
	    prec < 0 || prec > 9)
		return false;
	r = a * p10[prec];
	if (!(r < 4503599627370496.0))		/* 2^52, NaN too */
		return false;
	fl = floor(r);
	fr = r - fl;				/* exact */
	if (fabs(fr - 0.5) <= r * 4.5e-16 + 1e-300)
		return false;			/* too near a tie */
	v = (uint64_t)fl + (fr > 0.5);
	ip = v / u10[prec];
	fp = v % u10[prec];
	if (signbit(d))
		digs[k++] = '-';
	k += snprintf(digs + k, sizeof(digs) - (size_t)k, "%llu",
	    (unsigned long long)ip);
	if (prec > 0) {
		digs[k++] = '.';
		for (i = prec - 1; i >= 0; i--, fp /= 10)
			digs[k + i] = (char)('0' + fp % 10);
		k += prec;
	}
	pf_buf_add(b, digs, (size_t)k);
	return true;
}

/* %f %e %g (and capitals) by snprintf with the same spec. */
static void
put_double(struct pf_buf *b, const struct spec *sp, double d)
{
	char spec[40], small[128];
	int n;

	if (fast_fixed(b, sp, d))
		return;

	if (sp->prec >= 0)
		snprintf(spec, sizeof(spec), "%%%s%d.%d%c", sp->flags,
		    sp->width < 0 ? 0 : sp->width, sp->prec, sp->conv);
	else
		snprintf(spec, sizeof(spec), "%%%s%d%c", sp->flags,
		    sp->width < 0 ? 0 : sp->width, sp->conv);
	n = snprintf(small, sizeof(small), spec, d);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		pf_buf_add(b, small, (size_t)n);
		return;
	}
	pf_buf_grow(b, (size_t)n + 1);
	snprintf(b->data + b->len, (size_t)n + 1, spec, d);
	b->len += (size_t)n;
}

/* %s: width and precision in characters. */
static void
put_text(struct pf_buf *b, const struct spec *sp, const char *s, size_t len)
{
	size_t chars = 0, k = 0;

	while (k < len && (sp->prec < 0 || chars < (size_t)sp->prec)) {
		k += utf8_char_len(s + k, len - k);
		chars++;
	}
	put_padded(b, sp, s, k, 0, chars);
}

void
fn_format(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	const struct pf_node *f = &e->nodes[e->args[n->args]];
	const char *fmt = f->text, *s;
	size_t len = f->text_len, i = 0, start, slen;
	struct pf_buf *b = &ev->work;
	struct pf_number x;
	struct pf_value v;
	struct spec sp;
	uint32_t k = 1;

	b->len = 0;
	while (i < len) {
		if (fmt[i] != '%') {
			start = i;
			while (i < len && fmt[i] != '%')
				i++;
			pf_buf_add(b, fmt + start, i - start);
			continue;
		}
		i++;
		read_spec(fmt, len, &i, &sp);	/* checked at compile time */
		if (sp.conv == '%') {
			pf_buf_addc(b, '%');
			continue;
		}
		arg(ev, e, n, k++, rec, &v);
		if (sp.conv == 's') {
			pf_value_text(ev, &v, &s, &slen);
			put_text(b, &sp, s, slen);
			continue;
		}
		if (!pf_value_number(&v, &x)) {
			if (!(v.type == PF_V_STR && v.len == 0))
				pf_note(ev, e, n, rec, PF_NOTE_NUMBER, &v, false);
			set_empty(out);
			return;
		}
		if (strchr("diouxX", sp.conv) == NULL)
			put_double(b, &sp, x.d);
		else if (x.is_int)
			put_int(b, &sp, x.i);
		else if (!isnan(x.d) && fabs(x.d) < 9223372036854775808.0)
			put_int(b, &sp, (int64_t)x.d);	/* truncated */
		else {
			pf_note(ev, e, n, rec, PF_NOTE_RANGE, &v, false);
			set_empty(out);
			return;
		}
	}
	pf_set_str(out, pf_scratch_copy(ev, b->data, b->len), b->len);
}

const char *
check_format(const struct pf_expr *e, struct pf_node *n, char *msg,
    size_t size, uint32_t *arg_index)
{
	const struct pf_node *f = &e->nodes[e->args[n->args]];
	size_t i = 0, need = 0;
	struct spec sp;

	*arg_index = 0;
	if (f->kind != PF_N_CONST || f->val.type != PF_V_STR) {
		snprintf(msg, size, "format() needs a string literal as its "
		    "format, e.g. format(\"%%.2f\", x)");
		return msg;
	}
	while (i < f->text_len) {
		if (f->text[i++] != '%')
			continue;
		if (!read_spec(f->text, f->text_len, &i, &sp)) {
			snprintf(msg, size, "bad conversion in format at byte "
			    "%zu: %s (conversions: %%d %%i %%o %%x %%X %%f "
			    "%%F %%e %%E %%g %%G %%s %%%%; width and precision "
			    "up to %d)", i, i >= f->text_len ?
			    "'%' at the end" : "unknown or malformed",
			    MAX_WIDTH);
			return msg;
		}
		if (sp.conv != '%')
			need++;
	}
	if (need != n->nargs - 1) {
		snprintf(msg, size, "format has %zu conversion%s but %u "
		    "argument%s follow%s it", need, need == 1 ? "" : "s",
		    n->nargs - 1, n->nargs - 1 == 1 ? "" : "s",
		    n->nargs - 1 == 1 ? "s" : "");
		return msg;
	}
	return NULL;
}
