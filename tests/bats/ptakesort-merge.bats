#!/usr/bin/env bats
# ptakesort's whole sort with many runs: the merge keeps its open files
# bounded (passes of at most 64 runs), and every failure of a temporary
# file (no descriptor left, a full disk during the spill or the merge)
# is status 1 with the cause, nothing left behind, never a crash.
# Reference: sort -s.

load helper

setup() {
	MANY=$BATS_TEST_TMPDIR/many.csv
	# 20,000 records with many ties: a few thousand runs at --memory 4K.
	python3 - "$MANY" <<'PY'
import random, sys
rnd = random.Random(26)
with open(sys.argv[1], 'w') as f:
    f.write('k,id\n')
    for i in range(20000):
        f.write(f'{rnd.randint(-3000, 3000)},{i}\n')
PY
	WANT=$BATS_TEST_TMPDIR/want.csv
	{ head -n 1 "$MANY"; tail -n +2 "$MANY" | LC_ALL=C sort -s -t, -k1,1n; } >"$WANT"
	TMPD=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$TMPD"
}

@test "thousands of runs at ulimit -n 32: merged in passes, as sort -s, at every -j" {
	local j
	for j in 1 4; do
		run --separate-stderr bash -c 'ulimit -n 32; exec ptakesort -k k -j'$j' --chunk 1K --memory 4K -T "$1" "$2"' _ "$TMPD" "$MANY"
		assert_success
		assert_equal "$stderr" ''
		assert_equal "$output" "$(cat "$WANT")"
	done
	run ls -A "$TMPD"
	assert_output ''
}

@test "too few descriptors for a temporary file: status 1 with the cause, or the right output; never a crash" {
	local n j failed=0
	for j in 1 4; do
		for n in 5 6 7 8 10 12 16; do
			run --separate-stderr bash -c 'exec 3>&-; ulimit -n '$n'; exec ptakesort -k k -j'$j' --memory 4K -T "$1" "$2"' _ "$TMPD" "$MANY"
			if [ "$status" = 0 ]; then
				assert_equal "$output" "$(cat "$WANT")"
			else
				failed=1
				assert_equal "$status" 1
				assert_regex "$stderr" "^ptakesort: (.*many.csv:[0-9]+ \(record [0-9]+\): )?cannot (create|write) a temporary file in $TMPD: Too many open files\$"
			fi
			run ls -A "$TMPD"
			assert_output ''
		done
	done
	assert_equal "$failed" 1
}

@test "a disk that fills during the spill or the merge: status 1, the cause, nothing left" {
	local full=$BATS_TEST_TMPDIR/full rows merge_failed=0 spill_failed=0
	mkdir "$full"
	[ "$(id -u)" = 0 ] || skip "mounting a tmpfs needs root"
	mount -t tmpfs -o size=256k tmpfs "$full" 2>/dev/null || skip "cannot mount a tmpfs"
	for rows in 2000 3500 4000 4500 5000 8000 20000; do
		head -n $((rows + 1)) "$MANY" >"$BATS_TEST_TMPDIR/in.csv"
		run --separate-stderr ptakesort -k k --memory 4K -T "$full" "$BATS_TEST_TMPDIR/in.csv"
		if [ "$status" = 0 ]; then
			assert_equal "$output" "$(head -n 1 "$MANY"; tail -n +2 "$BATS_TEST_TMPDIR/in.csv" | LC_ALL=C sort -s -t, -k1,1n)"
		else
			assert_equal "$status" 1
			assert_regex "$stderr" "^ptakesort: (.*in.csv:[0-9]+ \(record [0-9]+\): )?cannot (create|write) a temporary file in $full: No space left on device\$"
			case $stderr in
			*record*) spill_failed=1 ;;
			*) merge_failed=1 ;;
			esac
		fi
		left=$(ls -A "$full"; df --output=used -k "$full" | tail -n 1 | tr -d ' ')
		[ "$left" = 0 ] || { umount "$full"; fail "left behind: $left"; }
	done
	umount "$full"
	assert_equal "$spill_failed$merge_failed" 11
}
