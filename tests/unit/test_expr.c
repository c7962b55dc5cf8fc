/*
 * test_expr.c - unit tests for the expression language (lib/expr*.c):
 * every operator and function, precedence, syntax errors with their
 * positions, empty fields, integer overflow, UTF-8 and regexes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "expr/expr.h"
#include "expr/keys.h"
#include "unit.h"

static const char *names[] = {
	"name", "delay", "city", "elevation ft", "x", "y", "and", "s",
};
static const struct pf_schema schema = { .nfields = 8, .names = (char **)names,
    .has_header = true };
static const char *row[] = {
	"Zürich Airport", "75", "", "1417", "3", "2.5", "kw", "hello",
};

static struct pf_eval *ev;
static char result[16384];

/* Evaluates src on a record of n fields; "error@POS: MSG" on failure. */
static const char *
run_on(const char *src, const char **f, size_t n, enum pf_vtype *type)
{
	struct pf_field fields[16];
	char raw[4096];
	size_t i, rlen = 0, len;
	struct pf_record rec;
	struct pf_expr_error err;
	struct pf_expr *e;
	struct pf_value v;
	const char *s;

	for (i = 0; i < n; i++) {
		fields[i].ptr = f[i];
		fields[i].len = strlen(f[i]);
		rlen += (size_t)snprintf(raw + rlen, sizeof(raw) - rlen, "%s%s",
		    i ? "," : "", f[i]);
	}
	rec = (struct pf_record){ .raw = raw, .raw_len = rlen, .fields = fields,
	    .nfields = n, .field_count = n };
	e = pf_expr_compile(src, &schema, &err);
	if (e == NULL) {
		snprintf(result, sizeof(result), "error@%zu: %s", err.pos,
		    err.msg);
		return result;
	}
	pf_eval_reset(ev);
	pf_eval(ev, e, &rec, &v);
	if (type)
		*type = v.type;
	if (pf_eval_error(ev) != NULL) {
		snprintf(result, sizeof(result), "failed: %s",
		    pf_eval_error(ev));
		pf_expr_free(e);
		return result;
	}
	pf_value_text(ev, &v, &s, &len);
	memcpy(result, s, len);
	result[len] = '\0';
	pf_expr_free(e);
	return result;
}

static const char *
run(const char *src)
{
	return run_on(src, row, 8, NULL);
}

static enum pf_vtype
type_of(const char *src)
{
	enum pf_vtype t = PF_V_STR;

	run_on(src, row, 8, &t);
	return t;
}

#define EVAL(src, want) CHECK_STR(run(src), want)
#define SYNTAX(src, want) CHECK_STR(run(src), want)

static void
test_literals(void)
{
	EVAL("42", "42");
	EVAL("-3.5", "-3.5");
	EVAL("1e3", "1000");
	EVAL(".5", "0.5");
	EVAL("\"closed\"", "closed");
	EVAL("'closed'", "closed");
	EVAL("\"a\\\"b\"", "a\"b");
	EVAL("'it\\'s'", "it's");
	EVAL("'x\\ty\\nz'", "x\ty\nz");
	EVAL("'back\\\\slash'", "back\\slash");
	EVAL("'\\d+'", "\\d+");
	EVAL("true", "true");
	EVAL("false", "false");
	CHECK(type_of("42") == PF_V_INT);
	CHECK(type_of("4.5") == PF_V_NUM);
	CHECK(type_of("'4'") == PF_V_STR);
	CHECK(type_of("true") == PF_V_BOOL);
	CHECK(type_of("9223372036854775807") == PF_V_INT);
	CHECK(type_of("9223372036854775808") == PF_V_NUM);
}

static void
test_fields(void)
{
	static const char *short_row[] = { "Bern", "5" };

	EVAL("name", "Zürich Airport");
	EVAL("delay", "75");
	EVAL("city", "");
	EVAL("{elevation ft}", "1417");
	EVAL("{and}", "kw");
	EVAL("{3}", "");
	EVAL("{8}", "hello");
	EVAL("$1", "Zürich Airport");
	EVAL("$2", "75");
	EVAL("$delay", "75");
	EVAL("$0", "Zürich Airport,75,,1417,3,2.5,kw,hello");
	EVAL("_x_ = 1", "error@0: unknown field '_x_' (fields: name, delay, "
	    "city, elevation ft, x, y, and, s)");
	/* A short record: missing fields are empty. */
	CHECK_STR(run_on("s", short_row, 2, NULL), "");
	CHECK_STR(run_on("s . delay . x", short_row, 2, NULL), "5");
	CHECK_STR(run_on("x + 1", short_row, 2, NULL), "");
	CHECK_STR(run_on("isempty($8)", short_row, 2, NULL), "true");
}

static void
test_arithmetic(void)
{
	EVAL("1 + 2", "3");
	EVAL("7 - 10", "-3");
	EVAL("6 * 7", "42");
	EVAL("7 / 2", "3.5");
	EVAL("8 / 2", "4");
	EVAL("-8 / 2", "-4");
	EVAL("7 % 3", "1");
	EVAL("-7 % 3", "-1");
	EVAL("7 % -3", "1");
	EVAL("7.5 % 2", "1.5");
	EVAL("1 / 0", "");
	EVAL("1 % 0", "");
	EVAL("1.5 / 0", "");
	EVAL("1.5 % 0.0", "");
	EVAL("delay + 1", "76");
	EVAL("delay / 5", "15");
	EVAL("delay / 5 / 3", "5");
	EVAL("x * y", "7.5");
	EVAL("y * 2", "5");
	EVAL("0.1 + 0.2", "0.30000000000000004");
	EVAL("10 / 4", "2.5");
	EVAL("1 / 3", "0.3333333333333333");
	EVAL("-x", "-3");
	EVAL("-y", "-2.5");
	EVAL("- -3", "3");
	EVAL("1 - -1", "2");
	EVAL("2 * -3", "-6");
	CHECK(type_of("8 / 2") == PF_V_INT);
	CHECK(type_of("7 / 2") == PF_V_NUM);
	CHECK(type_of("y * 2") == PF_V_NUM);
	/* Not numbers: empty. */
	EVAL("city + 1", "");
	EVAL("name * 2", "");
	EVAL("-name", "");
	EVAL("-city", "");
	EVAL("' 1' + 1", "");
	EVAL("'1e2' + 1", "101");
	EVAL("true + 1", "2");
}

static void
test_overflow(void)
{
	EVAL("9223372036854775807 + 1", "9.223372036854776e+18");
	EVAL("-9223372036854775807 - 1", "-9223372036854775808");
	CHECK(type_of("-9223372036854775807 - 1") == PF_V_INT);
	EVAL("-9223372036854775807 - 2", "-9.223372036854776e+18");
	EVAL("4611686018427387904 * 4", "1.8446744073709552e+19");
	EVAL("3037000500 * 3037000500", "9.22337203700025e+18");
	EVAL("(-9223372036854775807 - 1) / -1", "9.223372036854776e+18");
	EVAL("(-9223372036854775807 - 1) % -1", "0");
	EVAL("-(-9223372036854775807 - 1)", "9.223372036854776e+18");
	EVAL("9223372036854775807 * 1", "9223372036854775807");
	EVAL("'9223372036854775808' + 0", "9.223372036854776e+18");
}

static void
test_concat(void)
{
	EVAL("name . '!'", "Zürich Airport!");
	EVAL("1 . 2", "12");
	EVAL("x . y", "32.5");
	EVAL("x.y", "32.5");
	EVAL("delay . city", "75");
	EVAL("city . delay", "75");
	EVAL("true . 1", "true1");
	EVAL("(1 / 2) . ''", "0.5");
	/* '.' binds tighter than + and unary minus. */
	EVAL("1 . 2 + 1", "13");
	EVAL("'a' . 1 + 1", "");
	EVAL("-1 . 2", "-12");
	EVAL("x + 1 . 0", "13");
	EVAL("$1.$2", "Zürich Airport75");
}

static void
test_comparison(void)
{
	EVAL("delay > 60", "true");
	EVAL("delay > 100", "false");
	EVAL("delay >= 75", "true");
	EVAL("delay <= 75", "true");
	EVAL("delay < 75", "false");
	EVAL("delay == 75.0", "true");
	EVAL("delay == '75'", "true");
	EVAL("delay != 75", "false");
	EVAL("'075' == 75", "true");
	EVAL("'10' < '9'", "false");
	EVAL("'10' < '9a'", "true");
	EVAL("'abc' < 'abd'", "true");
	EVAL("'a' < 'ab'", "true");
	EVAL("'b' > 'abc'", "true");
	EVAL("'B' < 'a'", "true");
	EVAL("name == 'Zürich Airport'", "true");
	EVAL("name != 'x'", "true");
	EVAL("y > x", "false");
	EVAL("y < 2.6", "true");
	EVAL("9223372036854775807 > 9223372036854775806", "true");
	/* Empty against a number: every comparison is false. */
	EVAL("city == 0", "false");
	EVAL("city != 0", "false");
	EVAL("city < 1", "false");
	EVAL("city <= 1", "false");
	EVAL("city > 1", "false");
	EVAL("city >= 1", "false");
	EVAL("0 == city", "false");
	EVAL("60 < delay", "true");
	EVAL("60 >= delay", "false");
	EVAL("100 > delay", "true");
	EVAL("75 <= delay", "true");
	EVAL("'Zürich Airport' == name", "true");
	EVAL("'a' < name", "false");
	EVAL("'' == city", "true");
	EVAL("'' == delay", "false");
	EVAL("'' != delay", "false");
	EVAL("'' < delay", "false");
	EVAL("'' < name", "true");
	EVAL("delay == ''", "false");
	EVAL("delay != ''", "false");
	EVAL("name > ''", "true");
	EVAL("city == 'x'", "false");
	EVAL("city < 'x'", "true");
	EVAL("delay < 'abc'", "true");
	EVAL("y == 2.50", "true");
	EVAL("y == '2.50'", "true");
	EVAL("y < 'x'", "true");
	/* Empty against a string compares as bytes. */
	EVAL("city == ''", "true");
	EVAL("city < 'a'", "true");
	EVAL("city != 'a'", "true");
	/* Booleans are 1/0 against numbers and "true"/"false" as text. */
	EVAL("(delay > 1) == true", "true");
	EVAL("(delay > 1) == 1", "true");
	EVAL("(delay > 1) == 'true'", "true");
	EVAL("1 < 2 == true", "true");
	CHECK(type_of("1 < 2") == PF_V_BOOL);
}

static void
test_logic(void)
{
	EVAL("1 && 0", "false");
	EVAL("1 and 2", "true");
	EVAL("1 || 0", "true");
	EVAL("0 or 0", "false");
	EVAL("'' or 'x'", "true");
	EVAL("not 0", "true");
	EVAL("!1", "false");
	EVAL("!city", "true");
	EVAL("!'false'", "true");
	EVAL("!'0'", "true");
	EVAL("!'0.0'", "true");	/* zero in any spelling is false */
	EVAL("!'-0'", "true");
	EVAL("!'0x0'", "false");
	EVAL("!0.0", "true");
	EVAL("!name", "false");
	EVAL("city || delay", "true");
	/* Short-circuit: the right side is not evaluated. */
	EVAL("0 && nosuchfunc_is_fine_not", "error@5: unknown field "
	    "'nosuchfunc_is_fine_not' (fields: name, delay, city, elevation ft, "
	    "x, y, and, s)");
	EVAL("0 && 1 / 0", "false");
	/* ! is looser than comparison, tighter than &&. */
	EVAL("!1 == 2", "true");
	EVAL("!0 && 0", "false");
	EVAL("not delay > 100 and x == 3", "true");
	EVAL("1 || 0 && 0", "true");
	EVAL("0 && 0 || 1", "true");
	EVAL("not 1 or 1", "true");
	EVAL("x == !0", "false");
	EVAL("1 == !0", "true");
}

static void
test_truthy(void)
{
	struct pf_value v = { 0 };

	v.type = PF_V_STR;
	v.s = "";
	v.len = 0;
	CHECK(!pf_value_truthy(&v));
	v.s = "0";
	v.len = 1;
	CHECK(!pf_value_truthy(&v));
	v.s = "false";
	v.len = 5;
	CHECK(!pf_value_truthy(&v));
	v.s = "00";
	v.len = 2;
	CHECK(!pf_value_truthy(&v));
	v.s = "-0";
	CHECK(!pf_value_truthy(&v));
	v.s = ".0";
	CHECK(!pf_value_truthy(&v));
	v.s = "0e5";
	v.len = 3;
	CHECK(!pf_value_truthy(&v));
	v.s = "0.0";
	CHECK(!pf_value_truthy(&v));
	v.s = " 0 ";
	CHECK(pf_value_truthy(&v));
	v.s = "0.01";
	v.len = 4;
	CHECK(pf_value_truthy(&v));
	v.s = "no";
	v.len = 2;
	CHECK(pf_value_truthy(&v));
	v.s = "-";
	v.len = 1;
	CHECK(pf_value_truthy(&v));
	v.type = PF_V_INT;
	v.i = 0;
	CHECK(!pf_value_truthy(&v));
	v.i = -1;
	CHECK(pf_value_truthy(&v));
	v.type = PF_V_NUM;
	v.d = 0.0;
	CHECK(!pf_value_truthy(&v));
	v.d = 0.5;
	CHECK(pf_value_truthy(&v));
	v.type = PF_V_BOOL;
	v.i = 1;
	CHECK(pf_value_truthy(&v));
	v.i = 0;
	CHECK(!pf_value_truthy(&v));
}

static void
test_conditional(void)
{
	EVAL("delay > 60 ? 'late' : 'ok'", "late");
	EVAL("delay > 90 ? 'late' : 'ok'", "ok");
	EVAL("city ? 1 : 2", "2");
	EVAL("0 ? 1 : 0 ? 2 : 3", "3");
	EVAL("1 ? 2 : 3 ? 4 : 5", "2");
	EVAL("1 ? 0 ? 'a' : 'b' : 'c'", "b");
	EVAL("x > 1 || 0 ? 'y' : 'n'", "y");
}

static void
test_in(void)
{
	EVAL("delay in (1, 75, 3)", "true");
	EVAL("delay in (1, 2)", "false");
	EVAL("name in ('a', 'Zürich Airport')", "true");
	EVAL("x + 1 in (4)", "true");
	EVAL("city in (0)", "false");
	EVAL("city in ('', 0)", "true");
	EVAL("'75.0' in (75)", "true");
	EVAL("1 == 1 in (0)", "false");
	EVAL("not x in (1, 2)", "true");
}

static void
test_match(void)
{
	EVAL("name =~ /zür/i", "true");
	EVAL("name =~ /zür/", "false");
	EVAL("name =~ /^Z.rich/", "true");
	EVAL("name !~ /^Z/", "false");
	EVAL("name !~ /^X/", "true");
	EVAL("delay =~ /^\\d+$/", "true");
	EVAL("y =~ /^\\d+$/", "false");
	EVAL("'a/b' =~ /a[/]b/", "true");
	EVAL("'a/b' =~ /a\\/b/", "true");
	/* Flags */
	EVAL("'abc' =~ /a b c/x", "true");
	EVAL("'abc' =~ /a b c/", "false");
	EVAL("'a\\nb' =~ /a.b/s", "true");
	EVAL("'a\\nb' =~ /a.b/", "false");
	EVAL("'a\\nb' =~ /^b/m", "true");
	EVAL("'a\\nb' =~ /^b/", "false");
	EVAL("'A\\nB' =~ /^b$/mi", "true");
	/* UTF mode: . is one character. */
	EVAL("'ü' =~ /^.$/", "true");
	EVAL("name =~ /^\\w+ \\w+$/", "true");
	EVAL("'ÜBER' =~ /^über$/i", "true");
	/* Any expression on the right, compiled at run time. */
	EVAL("name =~ 'Air' . 'port'", "true");
	EVAL("name =~ s", "false");
	EVAL("s =~ 'l+'", "true");
	EVAL("s =~ 'L+'", "false");
	/*
	 * A pattern that does not compile: a syntax error when it is a
	 * constant, a failed record when it comes from the data.
	 */
	SYNTAX("name =~ '('", "error@8: bad regex: missing closing parenthesis");
	SYNTAX("name !~ \"(\"", "error@8: bad regex: missing closing parenthesis");
	EVAL("name =~ s . '('", "failed: bad regex \"hello(\": missing "
	    "closing parenthesis");
	EVAL("name !~ s . '('", "failed: bad regex \"hello(\": missing "
	    "closing parenthesis");
	EVAL("name =~ s . '\\t('", "failed: bad regex \"hello\\x09(\": "
	    "missing closing parenthesis");
	EVAL("name =~ s . s . s . s . s . s . s . s . s . s . s . s . s . '('",
	    "failed: bad regex \"hellohellohellohellohellohellohellohellohel"
	    "lohellohelloh...\": missing closing parenthesis");
	/* A match that errs fails the record: never a silent false. */
	EVAL("'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' =~ /(a|a)*c|d/",
	    "failed: regex error: match limit exceeded");
	EVAL("'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' !~ /(a|a)*c|d/",
	    "failed: regex error: match limit exceeded");
	EVAL("replace('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', /(a|a)*c|d/, 'x')",
	    "failed: regex error: match limit exceeded");
	/* The failure lasts until the next reset only. */
	EVAL("'aaa' =~ /(a|a)*c|d/", "false");
	/* =~ is tighter than ==, looser than in. */
	EVAL("'a' =~ /a/ == true", "true");
	/* A bare regex matches $0. */
	EVAL("/Airport,75/", "true");
	EVAL("/airport/", "false");
	EVAL("/airport/i && delay > 1", "true");
	/* '/' after an operand divides. */
	EVAL("delay /5/ 3", "5");
}

static void
test_invalid_utf8(void)
{
	static const char *bad[] = { "\xff\xfe" "abc\xc3", "\xe2\x82", "ok" };

	CHECK_STR(run_on("name =~ /abc/", bad, 3, NULL), "true");
	CHECK_STR(run_on("name =~ /^.+$/", bad, 3, NULL), "false");
	CHECK_STR(run_on("name =~ /c/i", bad, 3, NULL), "true");
	CHECK_STR(run_on("delay =~ /./", bad, 3, NULL), "false");
	CHECK_STR(run_on("delay =~ /\\x{20ac}/", bad, 3, NULL), "false");
	CHECK_STR(run_on("name =~ city", bad, 3, NULL), "false");
	/* A pattern from the data that is not UTF-8 fails the record. */
	CHECK_STR(run_on("name =~ delay", bad, 3, NULL),
	    "failed: bad regex \"\xe2\x82\": UTF-8 error: 1 byte missing at end");
	CHECK_STR(run_on("name =~ 'a' . substr(delay, 1, 1)", bad, 3, NULL),
	    "failed: bad regex \"a\xe2\": UTF-8 error: 2 bytes missing at end");
	CHECK_STR(run_on("len(name)", bad, 3, NULL), "6");
	CHECK_STR(run_on("len(delay)", bad, 3, NULL), "2");
	CHECK_STR(run_on("upper(name)", bad, 3, NULL), "\xff\xfe" "ABC\xc3");
	CHECK_STR(run_on("lower(delay)", bad, 3, NULL), "\xe2\x82");
	CHECK_STR(run_on("substr(name, 2, 2)", bad, 3, NULL), "\xfe" "a");
	CHECK_STR(run_on("replace(name, /b/, 'B')", bad, 3, NULL),
	    "\xff\xfe" "aBc\xc3");
	CHECK_STR(run_on("replace(name, //, '.')", bad, 3, NULL),
	    ".\xff.\xfe.a.b.c.\xc3.");
	/* Overlong and surrogate encodings are invalid: one byte each. */
	CHECK_STR(run("len('\xc0\xaf')"), "2");
	CHECK_STR(run("len('\xed\xa0\x80')"), "3");
	CHECK_STR(run("len('\xf4\x90\x80\x80')"), "4");
	CHECK_STR(run("len('\xf0\x9f\x98\x80')"), "1");
}

static void
test_text_functions(void)
{
	EVAL("len(name)", "14");
	EVAL("len('')", "0");
	EVAL("len(city)", "0");
	EVAL("len(123)", "3");
	EVAL("len(1 / 4)", "4");
	EVAL("len('日本語')", "3");
	CHECK(type_of("len(s)") == PF_V_INT);

	EVAL("upper(name)", "ZÜRICH AIRPORT");
	EVAL("lower(name)", "zürich airport");
	EVAL("lower('ÀÉÎ ΣΑΣ Ж')", "àéî σασ ж");
	EVAL("upper('àéî σας ж')", "ÀÉÎ ΣΑΣ Ж");
	EVAL("upper('straße')", "STRAßE");
	EVAL("upper('ı')", "I");
	EVAL("lower('\xe2\x84\xaa')", "k");	/* KELVIN SIGN */
	EVAL("upper('\xc9\x90')", "\xe2\xb1\xaf");	/* grows a byte */
	EVAL("upper(s) . lower(s)", "HELLOhello");
	EVAL("upper(1.5)", "1.5");
	EVAL("upper(true)", "TRUE");

	EVAL("trim('  a b \\t')", "a b");
	EVAL("trim(' ')", "");
	EVAL("trim('\\n\\r x\f\v')", "x");
	EVAL("trim(name)", "Zürich Airport");

	EVAL("substr('hello', 2, 3)", "ell");
	EVAL("substr('hello', 2)", "ello");
	EVAL("substr('hello', 1)", "hello");
	EVAL("substr('hello', 0, 2)", "h");
	EVAL("substr('hello', -1, 3)", "h");
	EVAL("substr('hello', -5)", "hello");
	EVAL("substr('hello', 5, 10)", "o");
	EVAL("substr('hello', 6)", "");
	EVAL("substr('hello', 99, 2)", "");
	EVAL("substr('hello', 2, 0)", "");
	EVAL("substr('hello', 2, -1)", "");
	EVAL("substr('hello', 1.9, 2.9)", "he");
	EVAL("substr('hello', 'x')", "");
	EVAL("substr('hello', 2, 'x')", "");
	EVAL("substr('hello', city)", "");
	EVAL("substr(name, 2, 3)", "üri");
	EVAL("substr('日本語', 2)", "本語");
	EVAL("substr('日本語', 3, 1)", "語");
	EVAL("substr(12345, 2, 2)", "23");
}

static void
test_replace(void)
{
	EVAL("replace('a-b-c', /-/, '+')", "a+b+c");
	EVAL("replace('2024-01-31', /(\\d+)-(\\d+)-(\\d+)/, '$3/$2/$1')",
	    "31/01/2024");
	EVAL("replace('abc', /b/, '[$0]')", "a[b]c");
	EVAL("replace('cost', /o/, '$$1')", "c$1st");
	EVAL("replace('cost', /o/, '$')", "c$st");
	EVAL("replace('cost', /o/, '$x')", "c$xst");
	EVAL("replace('abc', /(z)?b/, '[$1]')", "a[]c");
	EVAL("replace('abc', /(b)/, '$2$1$9')", "abc");
	EVAL("replace('abc', /x*/, '-')", "-a-b-c-");
	EVAL("replace('xab', /x*/, '-')", "--a-b-");
	EVAL("replace('héllo', //, '.')", ".h.é.l.l.o.");
	EVAL("replace('', /^/, 'x')", "x");
	EVAL("replace('', /a/, 'x')", "");
	EVAL("replace('abc', /z/, 'y')", "abc");
	EVAL("replace('aaa', 'a', 'b')", "bbb");
	EVAL("replace('a.b', '.', '-')", "---");
	EVAL("replace('a.b', '\\\\.', '-')", "a-b");
	SYNTAX("replace('a.b', '(', '-')",
	    "error@15: bad regex: missing closing parenthesis");
	EVAL("replace('a.b', s . '(', '-')",
	    "failed: bad regex \"hello(\": missing closing parenthesis");
	EVAL("replace(name, /ü/i, 'ue')", "Zuerich Airport");
	EVAL("replace(name, /Ü/i, 'ue')", "Zuerich Airport");
	EVAL("replace(name, /(\\w+) (\\w+)/, '$2 of $1')", "Airport of Zürich");
	EVAL("replace(delay, /5/, 0) + 1", "71");
	EVAL("replace(replace(s, /l/, 'L'), /h/, 'H')", "HeLLo");
	EVAL("replace('ab', /(a)(b)/, '$2$1$2$1$2$1')", "bababa");
}

static void
test_number_functions(void)
{
	EVAL("num('12')", "12");
	EVAL("num(' 12')", "");
	EVAL("num('1e2')", "100");
	EVAL("num('abc')", "");
	EVAL("num(city)", "");
	EVAL("num(x) + 1", "4");
	CHECK(type_of("num('12')") == PF_V_INT);
	CHECK(type_of("num('1.5')") == PF_V_NUM);

	EVAL("int(3.7)", "3");
	EVAL("int(-3.7)", "-3");
	EVAL("int('x')", "");
	EVAL("int(5)", "5");
	EVAL("int('42')", "42");
	EVAL("int(1e20)", "1e+20");
	CHECK(type_of("int(3.7)") == PF_V_INT);

	EVAL("round(2.5)", "3");
	EVAL("round(-2.5)", "-3");
	EVAL("round(2.4)", "2");
	EVAL("round(y)", "3");
	EVAL("round(2.675, 2)", "2.68");
	EVAL("round(1.005, 2)", "1.01");
	EVAL("round(-1.005, 2)", "-1.01");
	EVAL("round(3.14159, 3)", "3.142");
	EVAL("round(1234.5, -2)", "1200");
	EVAL("round(1250, -2)", "1300");
	EVAL("round(7, 2)", "7");
	EVAL("round(0.0004, 3)", "0");
	EVAL("round(0.0005, 3)", "0.001");
	EVAL("round(-0.0004, 3)", "0");
	EVAL("round(0.1 + 0.2, 15)", "0.3");
	EVAL("round(1.5, 30)", "1.5");
	EVAL("round('a')", "");
	EVAL("round(1.5, 'a')", "");
	CHECK(type_of("round(2.5)") == PF_V_INT);

	EVAL("floor(-2.5)", "-3");
	EVAL("floor(2.5)", "2");
	EVAL("floor(7)", "7");
	EVAL("ceil(-2.5)", "-2");
	EVAL("ceil(2.1)", "3");
	EVAL("ceil(city)", "");
	CHECK(type_of("floor(2.5)") == PF_V_INT);

	EVAL("abs(-3)", "3");
	EVAL("abs(3)", "3");
	EVAL("abs(-2.5)", "2.5");
	EVAL("abs('-7')", "7");
	EVAL("abs(-9223372036854775807 - 1)", "9.223372036854776e+18");
	EVAL("abs(name)", "");

	EVAL("min(3, 10, 2)", "2");
	EVAL("max(3, 10, 2)", "10");
	EVAL("max('3', '10')", "10");
	EVAL("min('b', 'a', 'c')", "a");
	EVAL("max(city, 5, 1)", "5");
	EVAL("min(city, 5, 1)", "1");
	EVAL("min('10', 'x')", "10");
	EVAL("max('10', 'x', '9')", "x");
	EVAL("max(city)", "");
	EVAL("max(y, x)", "3");
	EVAL("min(y, 2.5)", "2.5");
	EVAL("min(-1.5, -2)", "-2");
	EVAL("max(7)", "7");
}

static void
test_predicates(void)
{
	EVAL("isnum(delay)", "true");
	EVAL("isnum(y)", "true");
	EVAL("isnum(city)", "false");
	EVAL("isnum('1e3')", "true");
	EVAL("isnum('12a')", "false");
	EVAL("isnum(1 / 0)", "false");
	EVAL("isempty(city)", "true");
	EVAL("isempty(' ')", "false");
	EVAL("isempty(1 / 0)", "true");
	EVAL("isempty(0)", "false");
	EVAL("coalesce(city, '', name)", "Zürich Airport");
	EVAL("coalesce(city, '')", "");
	EVAL("coalesce(city, 0)", "0");
	EVAL("coalesce(delay)", "75");
	EVAL("coalesce(city, 1 / 0, x * 2)", "6");
}

static void
test_time(void)
{
	EVAL("time('1970-01-01')", "0");
	EVAL("time('2024-01-31')", "1706659200");
	EVAL("time('2024-01-31T10:20')", "1706696400");
	EVAL("time('2024-01-31 10:20:30')", "1706696430");
	EVAL("time('2024-01-31t10:20:30z')", "1706696430");
	EVAL("time('2024-01-31T10:20:30Z')", "1706696430");
	EVAL("time('2024-01-31T10:20:30.25Z')", "1706696430.25");
	EVAL("time('2024-01-31T10:20:30,5')", "1706696430.5");
	EVAL("time('2024-01-31T10:20:30+01:00')", "1706692830");
	EVAL("time('2024-01-31T10:20:30+01')", "1706692830");
	EVAL("time('2024-01-31T10:20:30-0130')", "1706701830");
	EVAL("time('2024-01-31T10:20+01:00')", "1706692800");
	EVAL("time('2024-02-29')", "1709164800");
	EVAL("time('2000-02-29')", "951782400");
	EVAL("time('1969-12-31T23:59:59Z')", "-1");
	EVAL("time('1900-01-01')", "-2208988800");
	CHECK(type_of("time('2024-01-31')") == PF_V_INT);
	CHECK(type_of("time('2024-01-31T00:00:00.5')") == PF_V_NUM);
	EVAL("time('2023-02-29')", "");
	EVAL("time('1900-02-29')", "");
	EVAL("time('2024-02-30')", "");
	EVAL("time('2024-13-01')", "");
	EVAL("time('2024-00-10')", "");
	EVAL("time('2024-1-31')", "");
	EVAL("time('2024-01-31T')", "");
	EVAL("time('2024-01-31T10')", "");
	EVAL("time('2024-01-31T25:00')", "");
	EVAL("time('2024-01-31T10:60')", "");
	EVAL("time('2024-01-31T10:20:30.')", "");
	EVAL("time('2024-01-31T10:20:30+1')", "");
	EVAL("time('2024-01-31T10:20:30 ')", "");
	EVAL("time(' 2024-01-31')", "");
	EVAL("time('x')", "");
	EVAL("time(city)", "");
	EVAL("time(1706659200)", "1706659200");	/* epoch seconds */

	EVAL("strftime(0, '%Y-%m-%d %H:%M:%S')", "1970-01-01 00:00:00");
	EVAL("strftime(time('2024-01-31T10:20:30+01:00'), '%Y-%m-%dT%H:%M:%SZ')",
	    "2024-01-31T09:20:30Z");
	EVAL("strftime(time('2024-01-31'), '%Y/%j %a')", "2024/031 Wed");
	EVAL("strftime(1.9, '%S')", "01");
	EVAL("strftime(-0.5, '%S')", "59");
	EVAL("strftime('1706659200', '%F')", "2024-01-31");
	EVAL("strftime('x', '%Y')", "");
	EVAL("strftime(city, '%Y')", "");
	EVAL("strftime(0, '')", "");
	EVAL("strftime(1e300, '%Y')", "");
	EVAL("len(strftime(0, '%Y%Y%Y%Y%Y%Y%Y%Y%Y%Y%Y%Y%Y%Y%Y%Y%Y%Y%Y%Y'))",
	    "80");
}

static void
test_precedence(void)
{
	EVAL("1 + 2 * 3", "7");
	EVAL("(1 + 2) * 3", "9");
	EVAL("2 * 3 % 4", "2");
	EVAL("10 - 2 - 3", "5");
	EVAL("64 / 4 / 2", "8");
	EVAL("-2 * 3", "-6");
	EVAL("-(2 + 3)", "-5");
	EVAL("1 + 2 == 3", "true");
	EVAL("2 + 3 * 4 == 14 && 'a' . 'b' == 'ab'", "true");
	EVAL("1 + 1 in (2) == true", "true");
	EVAL("delay > 60 && name =~ /Air/ || x", "true");
	EVAL("((((1))))", "1");
}


static void
test_syntax_errors(void)
{
	SYNTAX("", "error@0: empty expression");
	SYNTAX("   ", "error@3: empty expression");
	SYNTAX("1 +", "error@3: expected an operand, got end of expression");
	SYNTAX("1 + * 2", "error@4: expected an operand, got '*'");
	SYNTAX("(1 + 2", "error@6: expected ')', got end of expression");
	SYNTAX("len(name", "error@8: expected ')' after function arguments, "
	    "got end of expression");
	SYNTAX("len(name name)", "error@9: expected ')' after function "
	    "arguments, got 'name'");
	SYNTAX("delay > 1 )", "error@10: unexpected ')'");
	SYNTAX("delay 1", "error@6: unexpected '1'");
	SYNTAX("foo(1)", "error@0: unknown function 'foo' (the functions: "
	    "'pflow help expressions')");
	SYNTAX("1 + len(1, 2)", "error@4: len() takes 1 argument, got 2");
	SYNTAX("substr('a')", "error@0: substr() takes 2 to 3 arguments, got 1");
	SYNTAX("min()", "error@0: min() takes at least 1 argument, got 0");
	SYNTAX("replace(s, /a/)", "error@0: replace() takes 3 arguments, got 2");
	SYNTAX("delay > nosuch", "error@8: unknown field 'nosuch' (fields: name, "
	    "delay, city, elevation ft, x, y, and, s)");
	SYNTAX("$20", "error@0: unknown field '$20' (fields: name, delay, city, "
	    "elevation ft, x, y, and, s)");
	SYNTAX("{elevation}", "error@0: unknown field 'elevation'; did you mean "
	    "'elevation ft'? (fields: name, "
	    "delay, city, elevation ft, x, y, and, s)");
	SYNTAX("'abc", "error@0: unterminated string");
	SYNTAX("x == \"abc\\\"", "error@5: unterminated string");
	SYNTAX("x =~ /ab", "error@5: unterminated regex");
	SYNTAX("x =~ /a/q", "error@8: unknown regex flag 'q' (flags: i, x, s, m)");
	SYNTAX("x =~ /a(/", "error@8: bad regex: missing closing parenthesis");
	SYNTAX("x = 1", "error@2: unexpected '=' (use '==' to compare)");
	SYNTAX("x # 1", "error@2: unexpected character '#'");
	SYNTAX("x | 1", "error@2: unexpected character '|'");
	SYNTAX("{elevation", "error@0: unterminated '{' field name");
	SYNTAX("{}", "error@0: empty field name in {}");
	SYNTAX("$", "error@0: expected a field number or name after '$'");
	SYNTAX("1 ? 2", "error@5: expected ':' in conditional, got end of "
	    "expression");
	SYNTAX("x in 1", "error@5: expected '(' after 'in', got '1'");
	SYNTAX("x in (1, 2", "error@10: expected ')' after 'in' list, got end "
	    "of expression");
	SYNTAX("and", "error@0: expected an operand, got 'and'");
	SYNTAX("x and", "error@5: expected an operand, got end of expression");
	SYNTAX("()", "error@1: expected an operand, got ')'");
	SYNTAX("1 . . 2", "error@4: expected an operand, got '.'");
	SYNTAX("len 1", "error@4: expected '(' after function name 'len'");
	SYNTAX("len", "error@3: expected '(' after function name 'len'");
}

/* Deep nesting is refused at compile time, not a stack overflow later. */
static void
test_depth(void)
{
	static char src[20000];
	size_t i;

	for (i = 0; i < 200; i++)
		src[i] = '(';
	src[i] = '1';
	for (i = 0; i < 200; i++)
		src[201 + i] = ')';
	CHECK_STR(run(src), "1");
	for (i = 0; i < 5000; i++)
		src[i] = '(';
	src[i] = '\0';
	CHECK(strstr(run(src), "nested too deeply") != NULL);
	for (i = 0; i < 5000; i++)
		memcpy(src + 2 * i, "-1", 2);
	src[2 * i] = '\0';
	CHECK(strstr(run(src), "nested too deeply") != NULL);
	for (i = 0; i < 5000; i++)
		memcpy(src + 2 * i, "1+", 2);
	src[2 * i - 1] = '\0';
	CHECK(strstr(run(src), "nested too deeply") != NULL);
	for (i = 0; i < 300; i++)
		memcpy(src + 2 * i, "1+", 2);
	src[2 * i - 1] = '\0';
	CHECK_STR(run(src), "300");
	for (i = 0; i < 300; i++)
		memcpy(src + 2 * i, "!!", 2);
	memcpy(src + 2 * i, "1", 2);
	CHECK_STR(run(src), "true");
}

static struct pf_expr *
compile(const char *src)
{
	struct pf_expr_error err;
	struct pf_expr *e = pf_expr_compile(src, &schema, &err);

	if (e == NULL)
		printf("# %s: %s at %zu\n", src, err.msg, err.pos);
	return e;
}

static void
test_introspection(void)
{
	static const struct {
		const char	*src;
		long		 max_field, field;
		bool		 raw;
	} cases[] = {
		{ "delay > x",		4,  -1, false },
		{ "1",			-1, -1, false },
		{ "$0 == 'a'",		-1, -1, true },
		{ "name",		0,  0,  false },
		{ "$8",			7,  7,  false },
		{ "{elevation ft}",	3,  3,  false },
		{ "(s)",		7,  7,  false },
		{ "name . ''",		0,  -1, false },
		{ "/x/",		-1, -1, true },
		{ "name =~ /x/",	0,  -1, false },
		{ "replace(s, /x/, city)", 7, -1, false },
		{ "coalesce(city, y)",	5,  -1, false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pf_expr *e = compile(cases[i].src);

		CHECK(e != NULL);
		if (e == NULL)
			continue;
		if (pf_expr_max_field(e) != cases[i].max_field ||
		    pf_expr_field(e) != cases[i].field ||
		    pf_expr_uses_raw(e) != cases[i].raw) {
			printf("# %s: max_field %ld field %ld raw %d\n",
			    cases[i].src, pf_expr_max_field(e), pf_expr_field(e),
			    pf_expr_uses_raw(e));
			unit_check_failed = 1;
		}
		pf_expr_free(e);
	}
}

static void
test_no_schema(void)
{
	struct pf_expr_error err;
	struct pf_expr *e;

	e = pf_expr_compile("$3 . $1", NULL, &err);
	CHECK(e != NULL && pf_expr_max_field(e) == 2);
	pf_expr_free(e);
	e = pf_expr_compile("a", NULL, &err);
	CHECK(e == NULL);
	CHECK_STR(err.msg, "unknown field 'a' (fields: none)");
}

/* Empty input: a schema of any name checks all but the names. */
static void
test_any_name(void)
{
	const struct pf_schema any = { .any_name = true };
	struct pf_expr_error err;
	struct pf_projection *p;
	struct pf_expr *e;

	e = pf_expr_compile("nope > 1 && {no such} . len == $9", &any, &err);
	CHECK(e != NULL);
	pf_expr_free(e);
	e = pf_expr_compile("nope +", &any, &err);
	CHECK(e == NULL && err.pos == 6);
	CHECK_STR(err.msg, "expected an operand, got end of expression");
	p = pf_projection_compile_columns("*,-nope,x = 1", &any, &err);
	CHECK(p != NULL && p->ncols == 1);
	pf_projection_free(p);
	p = pf_projection_compile_columns("a,-c", &any, &err);
	CHECK(p == NULL);
	CHECK_STR(err.msg, "no column 'c' to remove");
	/* A key item is a field only when it cannot be an expression. */
	CHECK(pf_key_item_field("nope", 4, &any) == PF_KEY_EXPRESSION);
	CHECK(pf_key_item_field("a +", 3, &any) == PF_KEY_EXPRESSION);
	CHECK(pf_key_item_field("a and b", 7, &any) == PF_KEY_EXPRESSION);
	CHECK(pf_key_item_field("Major Genre", 11, &any) == 0);
	CHECK(pf_key_item_field("{a:b}", 5, &any) == 0);
	CHECK(pf_key_item_field("7", 1, &any) == 6);
}

static void
test_split_list(void)
{
	char **items;
	size_t n, i;

	n = pf_expr_split_list(" a, f(b, c), 'x,y' , /a,b/, {p,q}:desc ,"
	    "  last ", &items);
	CHECK(n == 6);
	if (n == 6) {
		CHECK_STR(items[0], "a");
		CHECK_STR(items[1], "f(b, c)");
		CHECK_STR(items[2], "'x,y'");
		CHECK_STR(items[3], "/a,b/");
		CHECK_STR(items[4], "{p,q}:desc");
		CHECK_STR(items[5], "last");
	}
	for (i = 0; i < n; i++)
		free(items[i]);
	free(items);

	n = pf_expr_split_list("a / 2, b:n, c # odd", &items);
	CHECK(n == 3);
	if (n == 3) {
		CHECK_STR(items[0], "a / 2");
		CHECK_STR(items[1], "b:n");
		CHECK_STR(items[2], "c # odd");
	}
	for (i = 0; i < n; i++)
		free(items[i]);
	free(items);

	n = pf_expr_split_list("a,,b,", &items);
	CHECK(n == 4);
	if (n == 4) {
		CHECK_STR(items[1], "");
		CHECK_STR(items[3], "");
	}
	for (i = 0; i < n; i++)
		free(items[i]);
	free(items);

	n = pf_expr_split_list("  ", &items);
	CHECK(n == 0);
	free(items);

	n = pf_expr_split_list("'unterminated, x", &items);
	CHECK(n == 1);
	for (i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

static void
test_projection(void)
{
	struct pf_expr_error err;
	struct pf_projection *p;

	p = pf_projection_compile("name, d2 = delay * 2, {elevation ft}, "
	    "upper( city ), {my col}=1, $2, *", &schema, &err);
	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK(p->ncols == 14);
	if (p->ncols == 14) {
		CHECK_STR(p->cols[0].name, "name");
		CHECK(p->cols[0].field == 0);
		CHECK_STR(p->cols[1].name, "d2");
		CHECK(p->cols[1].field == -1);
		CHECK_STR(run_on("0", row, 8, NULL), "0");
		CHECK_STR(p->cols[2].name, "elevation ft");
		CHECK(p->cols[2].field == 3);
		CHECK_STR(p->cols[3].name, "upper( city )");
		CHECK_STR(p->cols[4].name, "my col");
		CHECK_STR(p->cols[5].name, "delay");
		CHECK(p->cols[5].field == 1);
		CHECK_STR(p->cols[6].name, "name");
		CHECK(p->cols[6].field == 0 && p->cols[6].expr != NULL);
		CHECK_STR(p->cols[13].name, "s");
		CHECK(p->cols[13].field == 7);
		CHECK(pf_expr_field(p->cols[13].expr) == 7);
	}
	pf_projection_free(p);

	p = pf_projection_compile("name, nosuch", &schema, &err);
	CHECK(p == NULL && err.pos == 6);
	CHECK_STR(err.msg, "unknown field 'nosuch' (fields: name, delay, city, "
	    "elevation ft, x, y, and, s)");
	p = pf_projection_compile("name, d = 1 +", &schema, &err);
	CHECK(p == NULL && err.pos == 13);
	CHECK_STR(err.msg, "expected an operand, got end of expression");
	p = pf_projection_compile("name, d = ", &schema, &err);
	CHECK(p == NULL);
	CHECK_STR(err.msg, "empty column");
	p = pf_projection_compile("name,,x", &schema, &err);
	CHECK(p == NULL && err.pos == 5);
	CHECK_STR(err.msg, "empty column");
	p = pf_projection_compile("", &schema, &err);
	CHECK(p == NULL);
	/* "a == b" is a comparison, not a name. */
	p = pf_projection_compile("x == 3", &schema, &err);
	CHECK(p != NULL && p->ncols == 1);
	if (p)
		CHECK_STR(p->cols[0].name, "x == 3");
	pf_projection_free(p);
}

/* Scratch values stay valid while more scratch is allocated. */
static void
test_scratch(void)
{
	static char big[3001];
	const char *f[8];
	char want[9004];
	size_t i;

	memset(big, 'a', 3000);
	for (i = 0; i < 8; i++)
		f[i] = row[i];
	f[7] = big;
	memset(want, 'A', 3000);
	memset(want + 3000, 'a', 3000);
	memset(want + 6000, 'A', 3000);
	memcpy(want + 9000, "!75", 4);
	CHECK_STR(run_on("upper(s) . lower(s) . upper(s) . '!' . delay", f, 8,
	    NULL), want);
	/* Many records through one pf_eval. */
	for (i = 0; i < 1000; i++)
		run_on("upper(s) . replace(name, /r/, 'R') . (delay * 1.5)", f,
		    8, NULL);
	CHECK_STR(run("upper(s) . replace(name, /r/, 'R') . (delay * 1.5)"),
	    "HELLOZüRich AiRpoRt112.5");
}

/* Whether src compiles to a constant, and its truth. */
static bool
folds(const char *src, bool *truth)
{
	struct pf_expr_error err;
	struct pf_expr *e = pf_expr_compile(src, &schema, &err);
	bool constant = e != NULL && pf_expr_constant(e, truth);

	pf_expr_free(e);
	return constant;
}

/*
 * Constant folding: operators on constants are computed once, with the
 * value they give at a record; not where a record would note a value.
 */
static void
test_folding(void)
{
	bool t = false;

	CHECK(folds("1 < 2", &t) && t);
	CHECK(folds("!(60 * 60 == 3600)", &t) && !t);
	CHECK(folds("-(2) + 2", &t) && !t);
	CHECK(folds("true && 1 > 0.5", &t) && t);
	CHECK(folds("\"abc\" > \"abd\"", &t) && !t);
	CHECK(!folds("1 / 0", &t));		/* noted at each record */
	CHECK(!folds("\"a\" + 1 > 0", &t));
	CHECK(!folds("\"a\" . \"b\"", &t));	/* text: not folded */
	CHECK(!folds("delay > 60 * 60", &t));
	EVAL("delay > 60 + 14", "true");
	EVAL("delay > 60 + 15", "false");
	EVAL("2 ** 62 * 2", "9.223372036854776e+18");
	CHECK(type_of("2 ** 62 * 2") == PF_V_NUM);
	CHECK(type_of("7 / 2") == PF_V_NUM);
	CHECK(type_of("8 / 2") == PF_V_INT);
	EVAL("1 / 0", "");
}

int
main(void)
{
	ev = pf_eval_new();
	UNIT_RUN(test_literals);
	UNIT_RUN(test_fields);
	UNIT_RUN(test_arithmetic);
	UNIT_RUN(test_overflow);
	UNIT_RUN(test_concat);
	UNIT_RUN(test_comparison);
	UNIT_RUN(test_logic);
	UNIT_RUN(test_truthy);
	UNIT_RUN(test_conditional);
	UNIT_RUN(test_in);
	UNIT_RUN(test_match);
	UNIT_RUN(test_invalid_utf8);
	UNIT_RUN(test_text_functions);
	UNIT_RUN(test_replace);
	UNIT_RUN(test_number_functions);
	UNIT_RUN(test_predicates);
	UNIT_RUN(test_time);
	UNIT_RUN(test_precedence);
	UNIT_RUN(test_syntax_errors);
	UNIT_RUN(test_depth);
	UNIT_RUN(test_introspection);
	UNIT_RUN(test_no_schema);
	UNIT_RUN(test_any_name);
	UNIT_RUN(test_split_list);
	UNIT_RUN(test_projection);
	UNIT_RUN(test_scratch);
	UNIT_RUN(test_folding);
	pf_eval_free(ev);
	return UNIT_DONE();
}
