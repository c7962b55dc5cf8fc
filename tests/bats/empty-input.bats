#!/usr/bin/env bats
# empty-input.bats - input with no record at all, not even a header
# (stdin from /dev/null, an empty file): what the user wrote is still
# checked, with the message and status a header would give, except for
# field names, which no header says; a valid command still writes
# nothing and exits 0.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	: >empty.csv
	printf 'a,b\n' >header.csv
	printf 'a,b\n1,2\n' >table.csv
}

# Sets ARGS to "$@" (after FILE) reading FILE: as the last operand, or
# as -a FILE before the "--" of a command mode.
with_file() {
	local file=$1 arg command=false
	shift
	ARGS=()
	for arg in "$@"; do
		if [ "$arg" = -- ] && ! $command; then
			ARGS+=(-a "$file")
			command=true
		fi
		ARGS+=("$arg")
	done
	$command || ARGS+=("$file")
}

# Fails unless "$@" exits 2, writing nothing, with the same stderr on a
# one-line header (a,b) as on nothing at all: stdin from /dev/null and
# an empty file. pjoin lists the fields of both sides after a key error
# when it has them; without input it has none (and does not read TABLE).
same_error() {
	local expected

	run --separate-stderr "$@" <header.csv
	assert_equal "$status" 2
	assert_output ''
	expected=$(sed '/^pjoin: fields of the stream: /d' <<<"$stderr")
	[ -n "$expected" ]
	run --separate-stderr "$@" </dev/null
	assert_equal "$status" 2
	assert_output ''
	assert_equal "$stderr" "$expected"
	with_file empty.csv "$@"
	run --separate-stderr "${ARGS[@]}" </dev/null
	assert_equal "$status" 2
	assert_output ''
	assert_equal "$stderr" "$expected"
}

# Fails unless "$@" exits 0 with no output and an empty stderr on stdin
# from /dev/null and on an empty file.
quiet_success() {
	run --separate-stderr "$@" </dev/null
	assert_success
	assert_output ''
	assert_equal "$stderr" ''
	with_file empty.csv "$@"
	run --separate-stderr "${ARGS[@]}" </dev/null
	assert_success
	assert_output ''
	assert_equal "$stderr" ''
}

@test "pfilter: a syntax error is one without input" {
	same_error pfilter '1 +'
	same_error pfilter '/x/p'
	same_error pfilter 'a =~ "("'
	same_error pfilter 'substr(a)'
	same_error pfilter 'nosuch(a)'
	same_error pfilter -c '(a'
	same_error pfilter --unique 'a +' true
	assert_equal "${stderr%%$'\n'*}" \
	    'pfilter: expected an operand, got end of expression'
}

@test "pmap: a syntax error is one without input, in both modes" {
	same_error pmap '1 +'
	same_error pmap 'x='
	same_error pmap 'a,-c'
	assert_equal "${stderr%%$'\n'*}" "pmap: no column 'c' to remove"
	same_error pmap --batch-key 'a +' -- cat
	same_error pmap --batch-key 'lower(a),/x/p' --batch 2 -- cat
}

@test "preduce, ptakesort: a syntax error is one without input" {
	same_error preduce -k 'a +' count
	same_error preduce -k 'lower(a' sum:b
	same_error ptakesort -n 2 -k 'a +'
	same_error ptakesort -k 'a +'
	same_error ptakesort -k 'a:dsc'
	assert_equal "$stderr" "ptakesort: -k: unknown suffix ':dsc' in 'a:dsc'\
 (suffixes: :num, :str, :desc, :asc)"
	same_error ptakesort -n 1 -k a -g 'b +'
}

@test "ppartition, pjoin: a syntax error without input opens nothing" {
	same_error ppartition -k 'a +' -n 2 -o 'p-{}.csv'
	[ ! -e p-0.csv ] && [ ! -e p-1.csv ]
	same_error ppartition -k 'a +' -n 2 -- sh -c 'echo ran >>ran.txt'
	[ ! -e ran.txt ]
	same_error pjoin -k 'a +' table.csv
	same_error pjoin -k 'a=b +' table.csv
	same_error pjoin --bad bad.csv -k '/x/p' table.csv
	[ ! -e bad.csv ]
}

@test "unknown field names are accepted without input" {
	quiet_success pfilter 'nope > 1 && {no such} =~ /x/i && len(x) == $9'
	quiet_success pfilter --unique 'Major Genre,{a:b},x + y,7' nope
	quiet_success pfilter -v len
	quiet_success pmap 'x = nope * 2, $7, {Major Genre}, len(y)'
	quiet_success pmap '*,-nope,z = 1'
	quiet_success pmap --batch-key 'nope,{a:b},$3' -- cat
	quiet_success pmap -- echo '{nope}'
	quiet_success preduce -k 'Major Genre,{a:b},3,lower(nope)' count \
	    sum:x 'p50:{y z}' 'mean:('
	quiet_success preduce --window event:1h --time nope -k k count
	quiet_success ptakesort -k 'nope:desc,Major Genre,len(x):num,7'
	quiet_success ptakesort -n 3 -k 'nope:desc' -g 'Major Genre,g'
	quiet_success ppartition -k 'nope,$4' -n 2 -- cat
	quiet_success pjoin -k 'nope=other,x' table.csv
	quiet_success pjoin -k '{a:b}=Major Genre' --left table.csv
}

@test "positions past any field are accepted without input" {
	quiet_success pfilter '$5 > 1'
	quiet_success pmap '$12'
	quiet_success preduce -k 5 sum:7
	quiet_success ptakesort -n 1 -k 5:num
	quiet_success ppartition -k 5 -n 2 -- cat
}

@test "no input, no header expected: names are still unknown, positions any" {
	quiet_success pfilter -H '$5 > 1'
	quiet_success pfilter --lines '$0 != ""'
	run --separate-stderr pfilter -H 'delay > 1' </dev/null
	assert_equal "$status" 2
	assert_equal "$stderr" "pfilter: unknown field 'delay' (fields: none)
  delay > 1
  ^"
}

@test "what a valid command prints without input is unchanged" {
	run --separate-stderr pfilter -c 'nope > 1' </dev/null
	assert_success
	assert_output 0
	run --separate-stderr pfilter -c 'nope > 1' empty.csv
	assert_success
	assert_output 0
	run ppartition -k nope -n 2 -o 'p-{}.csv' empty.csv
	assert_success
	[ -f p-0.csv ] && [ ! -s p-0.csv ] && [ ! -s p-1.csv ]
	run ppartition -k nope -n 2 -- sh -c 'echo ran' </dev/null
	assert_success
	assert_output 'ran
ran'
	quiet_success pfilter --bad bad.csv true
	[ ! -e bad.csv ]
}
