/*
 * expr_lex.c - the expression lexer: tokens from the source text.
 *
 * It knows whether an operand or an operator comes next from the
 * previous token, which is how '/' tells a regex from a division and
 * '.' a fraction (".5") from concatenation.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr_parser.h"
#include "support/xalloc.h"

void
parse_fail(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	p->err->pos = p->base + pos;
	longjmp(p->fail, 1);
}

/* The token's text for messages, shortened. */
const char *
lex_token_text(const struct parser *p, const struct token *t, char *buf, size_t size)
{
	if (t->kind == T_END)
		return "end of expression";
	snprintf(buf, size, "'%.*s%s'", t->len > 24 ? 24 : (int)t->len,
	    p->src + t->pos, t->len > 24 ? "..." : "");
	return buf;
}

/* Lexer */

static bool
is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

bool
lex_is_ident_start(char c)
{
	return is_ident_start(c);
}

bool
lex_is_ident_char(char c)
{
	return is_ident_char(c);
}

bool
lex_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

size_t
lex_skip_space(const struct parser *p, size_t i)
{
	while (i < p->len && is_space(p->src[i]))
		i++;
	return i;
}

static enum token_kind
keyword(const char *s, size_t len)
{
	static const struct { const char *word; enum token_kind kind; } kw[] = {
		{ "and", T_AND }, { "or", T_OR }, { "not", T_NOT },
		{ "in", T_IN }, { "true", T_TRUE }, { "false", T_FALSE },
	};
	size_t i;

	for (i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (strlen(kw[i].word) == len && memcmp(kw[i].word, s, len) == 0)
			return kw[i].kind;
	return T_IDENT;
}

/* Scans a number starting at i; returns the index after it. */
static size_t
scan_number(const struct parser *p, size_t i)
{
	const char *s = p->src;

	while (i < p->len && lex_is_digit(s[i]))
		i++;
	if (i + 1 < p->len && s[i] == '.' && lex_is_digit(s[i + 1]))
		for (i++; i < p->len && lex_is_digit(s[i]); i++)
			;
	if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1;

		if (j < p->len && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j < p->len && lex_is_digit(s[j])) {
			for (i = j; i < p->len && lex_is_digit(s[i]); i++)
				;
		}
	}
	return i;
}

/* Scans a quoted string or regex body from i (after the opening quote). */
static size_t
scan_quoted(struct parser *p, size_t start, char quote, const char *what)
{
	size_t i = start + 1;
	bool in_class = false;

	for (; i < p->len; i++) {
		char c = p->src[i];

		if (c == '\\' && i + 1 < p->len)
			i++;
		else if (quote == '/' && c == '[')
			in_class = true;
		else if (quote == '/' && c == ']')
			in_class = false;
		else if (c == quote && !in_class)
			return i + 1;
	}
	if (p->lenient)
		return p->len;
	parse_fail(p, start, "unterminated %s", what);
}

void
lex_next(struct parser *p)
{
	const char *s = p->src;
	size_t i = lex_skip_space(p, p->cur), start = i;
	enum token_kind k;
	char c, d;

	p->prev_end = p->tok.pos + p->tok.len;
	if (i >= p->len) {
		p->tok = (struct token){ T_END, p->len, 0 };
		p->cur = p->len;
		return;
	}
	c = s[i];
	d = i + 1 < p->len ? s[i + 1] : '\0';
	i++;
	switch (c) {
	case '(': k = T_LPAREN; break;
	case ')': k = T_RPAREN; break;
	case ',': k = T_COMMA; break;
	case '?': k = T_QUESTION; break;
	case ':': k = T_COLON; break;
	case '+': k = T_PLUS; break;
	case '-': k = T_MINUS; break;
	case '*':
		k = d == '*' ? T_POW : T_STAR;
		if (d == '*')
			i++;
		break;
	case '%': k = T_PERCENT; break;
	case '|':
		if (d != '|')
			goto unknown;
		k = T_OR;
		i++;
		break;
	case '&':
		if (d != '&')
			goto unknown;
		k = T_AND;
		i++;
		break;
	case '!':
		k = d == '=' ? T_NE : d == '~' ? T_NMATCH : T_NOT;
		if (k != T_NOT)
			i++;
		break;
	case '=':
		k = d == '=' ? T_EQ : d == '~' ? T_MATCH : T_ASSIGN;
		if (k != T_ASSIGN)
			i++;
		break;
	case '<':
		k = d == '=' ? T_LE : T_LT;
		if (d == '=')
			i++;
		break;
	case '>':
		k = d == '=' ? T_GE : T_GT;
		if (d == '=')
			i++;
		break;
	case '"':
	case '\'':
		k = T_STR;
		i = scan_quoted(p, start, c, "string");
		break;
	case '/':
		if (p->after_operand) {
			k = T_SLASH;
			break;
		}
		k = T_REGEX;
		i = scan_quoted(p, start, '/', "regex");
		while (i < p->len && is_ident_char(s[i]))
			i++;		/* flags, checked by the parser */
		break;
	case '.':
		if (!p->after_operand && lex_is_digit(d)) {
			k = T_NUM;
			i = scan_number(p, i);
		} else
			k = T_DOT;
		break;
	case '{':
		k = T_BRACE;
		while (i < p->len && s[i] != '}')
			i++;
		if (i < p->len)
			i++;
		else if (!p->lenient)
			parse_fail(p, start, "unterminated '{' field name");
		break;
	case '$':
		k = T_DOLLAR;
		if (lex_is_digit(d))
			while (i < p->len && lex_is_digit(s[i]))
				i++;
		else if (is_ident_start(d))
			while (i < p->len && is_ident_char(s[i]))
				i++;
		else if (!p->lenient)
			parse_fail(p, start, "expected a field number or name after '$'");
		break;
	default:
		if (lex_is_digit(c)) {
			k = T_NUM;
			i = scan_number(p, start);
		} else if (is_ident_start(c)) {
			while (i < p->len && is_ident_char(s[i]))
				i++;
			k = keyword(s + start, i - start);
		} else
			goto unknown;
	}
	goto done;
unknown:
	if (!p->lenient)
		parse_fail(p, start, "unexpected character '%c'", c);
	k = T_OTHER;
done:
	p->tok = (struct token){ k, start, i - start };
	p->cur = i;
	switch (k) {
	case T_NUM: case T_STR: case T_REGEX: case T_IDENT: case T_DOLLAR:
	case T_BRACE: case T_RPAREN: case T_TRUE: case T_FALSE:
		p->after_operand = true;
		break;
	default:
		p->after_operand = false;
	}
}

void
lex_expect(struct parser *p, enum token_kind k, const char *msg)
{
	char buf[40];

	if (p->tok.kind != k)
		parse_fail(p, p->tok.pos, "%s, got %s", msg,
		    lex_token_text(p, &p->tok, buf, sizeof(buf)));
	lex_next(p);
}
