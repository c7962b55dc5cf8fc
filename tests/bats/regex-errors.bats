#!/usr/bin/env bats
# regex-errors: a regex that fails while matching (PCRE2's match limit, the
# JIT stack limit) or a pattern that does not compile is an error, never a
# silent "no match": a usage error (status 2) for a literal, a data error
# (status 1, FILE:LINE) for a pattern or a match that fails on a record.
# grep -P is the oracle where it succeeds.

load helper

setup() {
	# A value of 1,400 characters: ^(.)*$ needs more than the default
	# 32K JIT stack for it.
	python3 -c 'print("a" * 1400)' >"$BATS_TEST_TMPDIR/long.txt"
	LONG=$BATS_TEST_TMPDIR/long.csv
	{ echo s; cat "$BATS_TEST_TMPDIR/long.txt"; } >"$LONG"
	# 1,000 records on which (a|a)*c|d backtracks catastrophically.
	python3 -c 'print(("a" * 30 + "\n") * 1000, end="")' >"$BATS_TEST_TMPDIR/cat.txt"
	CAT=$BATS_TEST_TMPDIR/cat.csv
	{ echo s; cat "$BATS_TEST_TMPDIR/cat.txt"; } >"$CAT"
}

@test "a match that needs a deep JIT stack matches, as with grep -P" {
	run -0 grep -cP '^(.)*$' "$BATS_TEST_TMPDIR/long.txt"
	assert_output 1
	run -0 pfilter -c 's =~ /^(.)*$/' "$LONG"
	assert_output 1
	# 100,000 characters still fit the stack.
	python3 -c 'print("é" * 100000)' >"$BATS_TEST_TMPDIR/l.txt"
	{ echo s; cat "$BATS_TEST_TMPDIR/l.txt"; } >"$BATS_TEST_TMPDIR/l.csv"
	run -0 grep -cP '^(.)*$' "$BATS_TEST_TMPDIR/l.txt"
	assert_output 1
	run -0 pfilter -c 's =~ /^(.)*$/' "$BATS_TEST_TMPDIR/l.csv"
	assert_output 1
	run -0 pmap 'n = len(replace(s, /(.)*/, "$1"))' "$BATS_TEST_TMPDIR/l.csv"
	assert_output "$(printf 'n\n1')"
}

@test "pfilter and grep -P agree on the OurAirports navaids" {
	need_shared
	local f=$SHARED/ourairports-navaids.csv re n
	for re in '^(.)*$' '^\d+,"[A-Z][a-z]+_' '"(NDB|VOR)",.*"US"' \
	    '(a|e)(.)*\2"$' '"[^"]*(ville|burg)"' '^(?:[^,]*,){9}"CA"'; do
		echo "# $re"
		n=$(grep -cP "$re" "$f")
		[ "$n" -gt 0 ]
		run -0 pfilter --lines -c "\$0 =~ /$re/" "$f"
		assert_output "$n"
		run -0 pfilter --lines "\$0 =~ /$re/" -j4 --chunk 16K "$f"
		assert_output "$(grep -P "$re" "$f")"
	done
}

@test "a catastrophic pattern fails at its first record, fast, as grep -P does" {
	run -2 --separate-stderr grep -cP '(a|a)*c|d' "$BATS_TEST_TMPDIR/cat.txt"
	assert_equal "$stderr" "grep: $BATS_TEST_TMPDIR/cat.txt: exceeded PCRE's backtracking limit"
	local t0=$SECONDS
	same_for_all_jobs pfilter -c 's =~ /(a|a)*c|d/' "$CAT"
	assert_equal "$status" 1
	assert_output ''
	assert_equal "$stderr" "pfilter: $CAT:2 (record 1): regex error: match limit exceeded"
	run -1 --separate-stderr pfilter 's !~ /(a|a)*c|d/' "$CAT"
	assert_output s
	assert_equal "$stderr" "pfilter: $CAT:2 (record 1): regex error: match limit exceeded"
	# Some 10 ms a record, not the 47 s of 1,000 records failing silently
	# (each -j: a wide margin for a loaded machine).
	[ $((SECONDS - t0)) -lt 20 ]
}

@test "the records before the failing one are written" {
	local f
	f=$(mkinput f.csv <<'CSV'
s
xd
yd
aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
zd
CSV
)
	same_for_all_jobs pfilter 's =~ /(a|a)*c|d/' "$f"
	assert_equal "$status" 1
	assert_output "$(printf 's\nxd\nyd')"
	assert_equal "$stderr" "pfilter: $f:4 (record 3): regex error: match limit exceeded"
}

@test "a match that overflows the JIT stack is an error, not 'no match'" {
	{ echo s; python3 -c 'print("a" * 1000000)'; } >"$BATS_TEST_TMPDIR/h.csv"
	run -1 --separate-stderr pfilter -c 's =~ /^(.)*$/' "$BATS_TEST_TMPDIR/h.csv"
	assert_output ''
	assert_equal "$stderr" "pfilter: $BATS_TEST_TMPDIR/h.csv:2 (record 1): regex error: JIT stack limit reached"
}

@test "every tool stops at a regex error with FILE:LINE and status 1" {
	local t cmd
	for cmd in "pmap n=replace(s,/(a|a)*c|d/,\"x\")" \
	    "preduce -k s=~/(a|a)*c|d/ count" \
	    "ptakesort -n 3 -k s=~/(a|a)*c|d/" \
	    "ppartition -k s=~/(a|a)*c|d/ -n 2 -o $BATS_TEST_TMPDIR/p{}"; do
		t=${cmd%% *}
		echo "# $cmd"
		# shellcheck disable=SC2086
		same_for_all_jobs $cmd "$CAT"
		assert_equal "$status" 1
		assert_equal "$stderr" "$t: $CAT:2 (record 1): regex error: match limit exceeded"
	done
	run -1 --separate-stderr pmap --lines --batch-key '$0 =~ /(a|a)*c|d/' \
	    -a "$CAT" -- echo
	assert_output ''
	# --lines: the header line is record 1.
	assert_equal "$stderr" "pmap: $CAT:2 (record 2): regex error: match limit exceeded"
}

@test "a string pattern that does not compile is a usage error" {
	run -2 --separate-stderr pfilter 's =~ "("' "$CAT"
	assert_output ''
	assert_equal "$stderr" "$(printf '%s\n' \
	    'pfilter: bad regex: missing closing parenthesis' \
	    '  s =~ "("' '       ^')"
	run -2 --separate-stderr pfilter 's !~ '\''a['\' "$CAT"
	assert_equal "$stderr" "$(printf '%s\n' \
	    'pfilter: bad regex: missing terminating ] for character class' \
	    "  s !~ 'a['" '       ^')"
	run -2 --separate-stderr pmap 'replace(s, "(", "x")' "$CAT"
	assert_equal "$stderr" "$(printf '%s\n' \
	    'pmap: bad regex: missing closing parenthesis' \
	    '  replace(s, "(", "x")' '             ^')"
}

@test "a pattern from a field that does not compile is a data error" {
	local f
	f=$(mkinput p.csv <<'CSV'
p,s
^a,abc
b$,abc
(,abc
c,abc
CSV
)
	same_for_all_jobs pfilter 's =~ p' "$f"
	assert_equal "$status" 1
	assert_output "$(printf 'p,s\n^a,abc')"
	assert_equal "$stderr" 'pfilter: '"$f"':4 (record 3): bad regex "(": missing closing parenthesis'
	same_for_all_jobs pfilter 's !~ p' "$f"
	assert_equal "$status" 1
	assert_output "$(printf 'p,s\nb$,abc')"
	assert_equal "$stderr" 'pfilter: '"$f"':4 (record 3): bad regex "(": missing closing parenthesis'
	same_for_all_jobs pmap 'r = replace(s, p, "-")' "$f"
	assert_equal "$status" 1
	assert_output "$(printf 'r\n-bc\nabc')"
	assert_equal "$stderr" 'pmap: '"$f"':4 (record 3): bad regex "(": missing closing parenthesis'
}
