#!/usr/bin/env bats
# Nothing silent in expressions: values that cannot be computed with are
# counted per place and reported at exit (the first in input order, the
# same for every -j), --strict makes them an error in every tool, and a
# field past $1 with --lines and no -d is a usage error.

load helper

setup() {
	# The first bad value is deep in the file, so -j4 with small chunks
	# sees later ones on other workers first.
	F=$BATS_TEST_TMPDIR/f.csv
	{
		echo 'id,x,y,when'
		for i in $(seq 1 400); do
			case $i in
			250) echo "$i,abc,0,2024-01-31" ;;
			300|390) echo "$i,zz$i,2,nope" ;;
			*) echo "$i,$i,2,2024-02-0$((i % 9 + 1))" ;;
			esac
		done
	} >"$F"
}

# Runs "$@" with -j1 and -j4 (small chunks) and asserts both stdout and
# stderr and status agree; leaves -j1's in output/stderr/status.
both_jobs() {
	run --separate-stderr "$@" -j4 --chunk 200 --queue 6
	local out4=$output err4=$stderr st4=$status
	run --separate-stderr "$@" -j1
	assert_equal "$out4" "$output"
	assert_equal "$err4" "$stderr"
	assert_equal "$st4" "$status"
}

@test "pmap: non-numbers are counted per place, the first in input order" {
	both_jobs pmap 'a = x + 1, b = x / (y - 2), c = id . "-" . x' "$F"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | sed -n 251p)" ',,250-abc'
	assert_equal "$stderr" "pmap: 397 divisions by zero in 'x / (y - 2)' (first: $F:2)
pmap: 3 values of 'x + 1' are not numbers (first: $F:251 'abc'); '.' joins text
pmap: 3 values of 'x / (y - 2)' are not numbers (first: $F:251 'abc')"
}

@test "an empty operand is not counted; num() and time() are" {
	printf 'k,v\n1,\n2,5\n3,five\n' >"$BATS_TEST_TMPDIR/e.csv"
	both_jobs pmap 'n = num(v), t = time(v), s = -v' "$BATS_TEST_TMPDIR/e.csv"
	assert_success
	assert_output 'n,t,s
,,
5,5,-5
,,'
	assert_equal "$stderr" "pmap: 1 value of 'num(v)' is not a number (first: $BATS_TEST_TMPDIR/e.csv:4 'five')
pmap: 1 value of 'time(v)' is not a time (first: $BATS_TEST_TMPDIR/e.csv:4 'five')
pmap: 1 value of '-v' is not a number (first: $BATS_TEST_TMPDIR/e.csv:4 'five')"
}

@test "pfilter counts too, and keeps its status 0" {
	both_jobs pfilter 'x * 2 > 700' "$F"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | wc -l)" 50
	assert_equal "$stderr" "pfilter: 3 values of 'x * 2' are not numbers (first: $F:251 'abc')"
}

@test "--strict: the first value in input order is an error, in every tool" {
	for tool in "pmap v=x+1" "pfilter x+1>0" "preduce -k x+1 count" \
	    "ptakesort -k x+1" "ppartition -k x+1 -n 2 -o $BATS_TEST_TMPDIR/p{}"; do
		# shellcheck disable=SC2086
		both_jobs $tool --strict "$F"
		assert_failure 1
		assert_equal "$stderr" "${tool%% *}: $F:251 (record 250): 'x+1': 'abc' is not a number (--strict); '.' joins text"
	done
}

@test "--strict: a division by zero and a time are errors too" {
	run --separate-stderr pmap --strict 'q = 1 / (y - 2)' "$F"
	assert_failure 1
	assert_equal "$stderr" "pmap: $F:2 (record 1): '1 / (y - 2)' divides by zero (--strict)"
	run --separate-stderr pfilter --strict 'time(when) > 0' "$F"
	assert_failure 1
	assert_equal "$stderr" "pfilter: $F:301 (record 300): 'time(when)': 'nope' is not a time (--strict)"
}

@test "a long or binary first value is shortened and shown safely" {
	printf 'v\n%s\n' "$(printf 'é%.0s' $(seq 1 80))" >"$BATS_TEST_TMPDIR/l.csv"
	run --separate-stderr pmap 'w = v * 1' "$BATS_TEST_TMPDIR/l.csv"
	assert_success
	assert_equal "$stderr" "pmap: 1 value of 'v * 1' is not a number (first: $BATS_TEST_TMPDIR/l.csv:2 'éééééééééééééééééééééééééééééé...')"
	printf 'v\n"a\tb"\n' >"$BATS_TEST_TMPDIR/c.csv"
	run --separate-stderr pmap 'w = v * 1' "$BATS_TEST_TMPDIR/c.csv"
	assert_equal "$stderr" "pmap: 1 value of 'v * 1' is not a number (first: $BATS_TEST_TMPDIR/c.csv:2 'a?b')"
}

@test "--lines without -d: a field past \$1 is a usage error naming -d" {
	printf '1.2.3.4 - - [x] "GET /" 404 12\n' >"$BATS_TEST_TMPDIR/a.log"
	run --separate-stderr pfilter --lines '$9 >= 400' "$BATS_TEST_TMPDIR/a.log"
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "pfilter: no field \$9 with --lines and no -d: each line is one field, \$1 (give -d to split lines, -d ' ' at blanks)"
	run --separate-stderr preduce --lines -k 2 count "$BATS_TEST_TMPDIR/a.log"
	assert_failure 2
	assert_equal "$stderr" "preduce: no field '2' with --lines and no -d: each line is one field, \$1 (give -d to split lines, -d ' ' at blanks)"
	run pfilter --lines '$1 =~ /404/' "$BATS_TEST_TMPDIR/a.log"
	assert_success
	run pfilter --lines -d ' ' '$7 >= 400' "$BATS_TEST_TMPDIR/a.log"
	assert_success
	assert_output '1.2.3.4 - - [x] "GET /" 404 12'
}

@test "--help ends with the expression summary; pflow help expressions" {
	for tool in pfilter pmap; do
		run --separate-stderr "$tool" --help
		assert_success
		assert_equal "$(printf '%s\n' "$output" | tail -1)" '  "pflow help expressions" says what each does; the manual has it all.'
		[[ $output == *"  operators  c ? a : b "* ]]
	done
	run --separate-stderr pflow help expressions
	assert_success
	assert_equal "${lines[0]}" 'Expressions (the same in pfilter, pmap and key lists):'
	assert_line '  format(fmt, a, ...)      printf: format("%.2f", x) is 1.50 for 1.5'
	# Every function the summary names is in the reference and the manual.
	names=$(pmap --help | sed -n '/^  functions/,/^  "pflow/p' | sed '$d' |
	    sed 's/^  functions//' | tr -s ' \n' '\n' | sed '/^$/d')
	[ "$(printf '%s\n' "$names" | wc -l)" -ge 50 ]
	for f in $names; do
		printf '%s\n' "$output" | grep -q "^  $f(" || fail "$f not in pflow help expressions"
		grep -q "^\.It .*Fn $f\b" "$PFLOW_SOURCE/man/expressions.mdoc" || fail "$f not in man/expressions.mdoc"
	done
	run pflow help expressions
	run bash -c 'pflow help expressions > /dev/full'
	assert_failure
}
