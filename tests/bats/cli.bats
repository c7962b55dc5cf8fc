#!/usr/bin/env bats
# cli.bats - the command line every tool shares: -h/--help, one message
# per bad option, --key and --keys.

load helper

TOOLS="pfilter pmap preduce ptakesort ppartition pjoin pscan"

@test "-h is --help in every tool: usage on stdout, status 0" {
	for t in $TOOLS; do
		run --separate-stderr "$t" -h
		assert_success
		assert_equal "$stderr" ''
		assert_line --index 0 --partial "usage: $t "
		run --separate-stderr "$t" --help
		assert_success
		assert_line --index 0 --partial "usage: $t "
	done
}

@test "a bad option is one message and a pointer to --help, status 2" {
	for t in $TOOLS; do
		run --separate-stderr "$t" -Z
		assert_failure 2
		assert_output ''
		assert_equal "$stderr" "$t: invalid option -- 'Z'
Try '$t --help' for more information."
		run --separate-stderr "$t" --no-such-option
		assert_failure 2
		assert_equal "$stderr" "$t: unrecognized option '--no-such-option'
Try '$t --help' for more information."
		run --separate-stderr "$t" --chunk 0
		assert_failure 2
		assert_equal "$stderr" "$t: bad --chunk size '0' (e.g. 64K, 4M)
Try '$t --help' for more information."
	done
}

@test "--key and --keys both work wherever -k does" {
	F=$DATA/flights.csv
	want=$(preduce -k origin count "$F")
	for o in --key --keys; do
		run preduce $o origin count "$F"
		assert_success
		assert_output "$want"
	done
	want=$(ptakesort -n 3 -k delay:desc "$F")
	for o in --key --keys; do
		run ptakesort -n 3 $o delay:desc "$F"
		assert_success
		assert_output "$want"
	done
	for o in --key --keys; do
		run ppartition $o origin -n 2 -o "$BATS_TEST_TMPDIR/p$o-{}.csv" "$F"
		assert_success
		run cat "$BATS_TEST_TMPDIR/p$o-0.csv"
		assert_success
	done
	cmp "$BATS_TEST_TMPDIR/p--key-0.csv" "$BATS_TEST_TMPDIR/p--keys-0.csv"
	cmp "$BATS_TEST_TMPDIR/p--key-1.csv" "$BATS_TEST_TMPDIR/p--keys-1.csv"
}

@test "--stats counts the records each tool wrote" {
	F=$DATA/flights.csv
	run --separate-stderr preduce --stats -k origin count "$F"
	assert_success
	assert_equal "${#lines[@]}" 11
	[[ ${stderr_lines[0]} == "preduce: 2000 records in, 10 records out, 0 bad, "* ]] ||
	    fail "${stderr_lines[0]}"
	run --separate-stderr preduce --stats --every 1000 -k origin count "$F"
	[[ ${stderr_lines[0]} == "preduce: 2000 records in, 20 records out, 0 bad, "* ]] ||
	    fail "${stderr_lines[0]}"
	run --separate-stderr ptakesort --stats -n 7 -k delay "$F"
	assert_success
	[[ ${stderr_lines[0]} == "ptakesort: 2000 records in, 7 records out, 0 bad, "* ]] ||
	    fail "${stderr_lines[0]}"
	run --separate-stderr pfilter --stats 'delay > 30' "$F"
	[[ ${stderr_lines[0]} == "pfilter: 2000 records in, $((${#lines[@]} - 1)) records out, 0 bad, "* ]] ||
	    fail "${stderr_lines[0]}"
}
