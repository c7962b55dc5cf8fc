#!/usr/bin/env bats
# outputs: every file a tool writes. --bad, pmap's --failed and --joblog,
# ppartition's -o files and stdout (--help too) are checked at every
# write and at close (PROG: FILE: why, status 1); an output that is also
# an input is refused before anything is read or truncated (status 2, as
# cat(1) says it); and no child command inherits an output's descriptor.

load helper

setup() {
	# One malformed record (too few fields) for --bad.
	F=$(mkinput f.csv <<'CSV'
a,b
1,x
2
3,w
CSV
)
	IN=$(mkinput in.csv <<'CSV'
origin,n
LAS,1
SFO,2
LAS,3
CSV
)
	cp "$IN" "$BATS_TEST_TMPDIR/orig.csv"
}

teardown() {
	if [ -n "${TMPFS:-}" ]; then
		umount "$TMPFS" 2>/dev/null || true
	fi
}

# Mounts a 64K tmpfs on $TMPFS, or skips the test.
small_disk() {
	[ "$(id -u)" = 0 ] || skip "mounting a tmpfs needs root"
	TMPFS=$BATS_TEST_TMPDIR/disk
	mkdir "$TMPFS"
	mount -t tmpfs -o size=64k tmpfs "$TMPFS" 2>/dev/null ||
	    { TMPFS=; skip "cannot mount a tmpfs"; }
}

# Fails unless in.csv is as it was.
input_intact() {
	cmp "$IN" "$BATS_TEST_TMPDIR/orig.csv"
}

@test "--bad on a full disk: status 1 and PROG: FILE: why, in every tool" {
	local t cmd
	for cmd in "pfilter true" "pmap a,b" "preduce -k a count" \
	    "ptakesort -n 5 -k a" "ppartition -k a -n 2 -o $BATS_TEST_TMPDIR/p{}"; do
		t=${cmd%% *}
		echo "# $cmd"
		# shellcheck disable=SC2086
		same_for_all_jobs $cmd --bad /dev/full "$F"
		assert_equal "$status" 1
		assert_equal "$stderr" "$t: /dev/full: No space left on device"
	done
	run -1 --separate-stderr pmap --bad /dev/full -a "$F" -- true
	assert_equal "$stderr" "pmap: /dev/full: No space left on device"
	# The same commands with a writable --bad are fine.
	run -0 --separate-stderr pfilter true --bad "$BATS_TEST_TMPDIR/b.csv" "$F"
	assert_output "$(printf 'a,b\n1,x\n3,w')"
	assert_equal "$stderr" "pfilter: 1 malformed record written to $BATS_TEST_TMPDIR/b.csv"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/b.csv")" 2
}

@test "pmap --failed and --joblog on a full disk: status 1 and PROG: FILE: why" {
	run -1 --separate-stderr pmap --joblog /dev/full -a "$F" -- true
	assert_output ''
	assert_equal "$stderr" "pmap: /dev/full: No space left on device"
	# The header goes first, before any command runs.
	run -1 --separate-stderr pmap --failed /dev/full -a "$IN" -- echo {n}
	assert_output ''
	assert_equal "$stderr" "pmap: /dev/full: No space left on device"
	# --lines has no header: the first failed record is the first write.
	run -1 --separate-stderr pmap -j1 --lines --failed /dev/full -a "$IN" \
	    -- sh -c 'echo "$1"; exit 3' _ {}
	assert_output origin,n
	assert_equal "$stderr" "$(printf '%s\n' 'pmap: record 1: exit status 3' \
	    'pmap: /dev/full: No space left on device')"
}

@test "--help and --version on a full disk: status 1 and write error" {
	local t
	for t in pfilter pmap preduce ptakesort ppartition; do
		run -1 --separate-stderr bash -c '"$@" >/dev/full' _ "$t" --help
		assert_equal "$stderr" "$t: write error: No space left on device"
		run -1 --separate-stderr bash -c '"$@" >/dev/full' _ "$t" --version
		assert_equal "$stderr" "$t: write error: No space left on device"
		run -0 "$t" --version
	done
	run -1 --separate-stderr bash -c 'pfilter -c true </dev/null >/dev/full'
	assert_equal "$stderr" "pfilter: write error: No space left on device"
}

@test "a disk that fills mid-run: --bad, --failed, --joblog, -o" {
	small_disk
	local big=$BATS_TEST_TMPDIR/big.csv
	# 100,000 malformed records, some 1.3 MB: far more than 64K.
	{ echo a,b; seq 1 100000 | sed 's/$/,x,y/'; } >"$big"
	run -1 --separate-stderr pfilter true --bad "$TMPFS/bad.csv" -j4 \
	    --chunk 16K "$big"
	assert_output a,b
	assert_equal "$stderr" "pfilter: $TMPFS/bad.csv: No space left on device"
	rm -f "$TMPFS"/*

	# Jobs of 1,000 records (14K): the fifth failed one does not fit.
	seq 100000 199999 >"$BATS_TEST_TMPDIR/n.txt"
	run -1 --separate-stderr pmap -j2 --lines --batch 1000 \
	    --failed "$TMPFS/failed.txt" -a "$BATS_TEST_TMPDIR/n.txt" -- false
	assert_output ''
	[[ $stderr == "pmap: batch "* ]]
	[[ $stderr == *"pmap: $TMPFS/failed.txt: No space left on device" ]]
	rm -f "$TMPFS"/*

	# Joblog lines of 2K commands: the 33rd does not fit.
	python3 -c 'print(("x" * 2000 + "\n") * 60, end="")' >"$BATS_TEST_TMPDIR/w.txt"
	run -1 --separate-stderr pmap -j2 --lines --joblog "$TMPFS/j.txt" \
	    -a "$BATS_TEST_TMPDIR/w.txt" -- true {}
	assert_output ''
	assert_equal "$stderr" "pmap: $TMPFS/j.txt: No space left on device"
	rm -f "$TMPFS"/*

	{ echo a,b; seq 1 100000 | sed 's/$/,some text/'; } >"$big"
	run -1 --separate-stderr ppartition -k a -n 3 -o "$TMPFS/p{}.csv" \
	    -j4 --chunk 16K "$big"
	assert_output ''
	[[ $stderr =~ ^"ppartition: $TMPFS/p"[012]".csv: No space left on device"$ ]]
}

@test "--bad that is an input is refused before reading: status 2" {
	local t
	for t in "pfilter true" "pmap n" "preduce -k origin count" \
	    "ptakesort -n 2 -k n" "ppartition -k n -n 2 -o $BATS_TEST_TMPDIR/p{}"; do
		echo "# $t"
		# shellcheck disable=SC2086
		run -2 --separate-stderr $t --bad "$IN" "$IN"
		assert_output ''
		assert_equal "$stderr" "${t%% *}: $IN: input file is output file"
		input_intact
	done
	run -2 --separate-stderr pmap --bad "$IN" -a "$IN" -- true
	assert_equal "$stderr" "pmap: $IN: input file is output file"
	input_intact
	# Through another name, and as stdin.
	ln -s "$IN" "$BATS_TEST_TMPDIR/link.csv"
	run -2 --separate-stderr pfilter true --bad "$BATS_TEST_TMPDIR/link.csv" "$F" "$IN"
	assert_equal "$stderr" "pfilter: $IN: input file is output file"
	run -2 --separate-stderr pfilter true --bad "$IN" <"$IN"
	assert_equal "$stderr" "pfilter: stdin: input file is output file"
	run -2 --separate-stderr pfilter true --bad "$IN" - <"$IN"
	assert_equal "$stderr" "pfilter: stdin: input file is output file"
	input_intact
	# Devices are not regular files: nothing to refuse.
	run -0 pfilter true --bad /dev/null /dev/null
}

@test "stdout that is an input (>>) is refused, as cat does: status 2" {
	run -2 --separate-stderr bash -c 'pfilter true "$1" >>"$1"' _ "$IN"
	assert_equal "$stderr" "pfilter: $IN: input file is output file"
	run -2 --separate-stderr bash -c 'pmap -a "$1" -- echo {n} >>"$1"' _ "$IN"
	assert_equal "$stderr" "pmap: $IN: input file is output file"
	run -2 --separate-stderr bash -c 'ptakesort -n 2 -k n <"$1" >>"$1"' _ "$IN"
	assert_equal "$stderr" "ptakesort: stdin: input file is output file"
	input_intact
	run -1 --separate-stderr bash -c 'cat "$1" >>"$1"' _ "$IN"
	assert_equal "$stderr" "cat: $IN: input file is output file"
}

@test "pmap --failed and --joblog that are inputs are refused: status 2" {
	run -2 --separate-stderr pmap --joblog "$IN" -a "$IN" -- true
	assert_output ''
	assert_equal "$stderr" "pmap: $IN: input file is output file"
	input_intact
	run -2 --separate-stderr pmap --resume --joblog "$IN" -a "$IN" -- true
	assert_equal "$stderr" "pmap: $IN: input file is output file"
	input_intact
	run -2 --separate-stderr pmap --failed "$IN" -a "$F" -a "$IN" -- false
	assert_equal "$stderr" "pmap: $IN: input file is output file"
	input_intact
}

@test "ppartition -o files that are inputs are refused before truncating" {
	cd "$BATS_TEST_TMPDIR"
	cp "$IN" LAS.csv
	run -2 --separate-stderr ppartition --by-value -k origin -o '{}.csv' LAS.csv
	assert_equal "$stderr" "ppartition: LAS.csv: input file is output file"
	cmp LAS.csv orig.csv
	cp "$IN" p1.csv
	run -2 --separate-stderr ppartition -k origin -n 2 -o 'p{}.csv' p1.csv
	assert_equal "$stderr" "ppartition: p1.csv: input file is output file"
	cmp p1.csv orig.csv
	# Refused before any file is made.
	[ ! -e p0.csv ]
	# Other names are fine.
	run -0 ppartition --by-value -k origin -o 'o_{}.csv' LAS.csv
	assert_equal "$(cat o_LAS.csv)" "$(printf 'origin,n\nLAS,1\nLAS,3')"
}

@test "children inherit no output's descriptor" {
	local want
	want=$(sh -c 'ls /proc/self/fd')
	cd "$BATS_TEST_TMPDIR"
	printf 'x\ny\n' >k.txt
	run -0 --separate-stderr pmap -j1 --lines --bad b.txt --failed f.txt \
	    --joblog j.txt -a k.txt -- sh -c 'ls /proc/self/fd'
	assert_output "$(printf '%s\n%s' "$want" "$want")"
	run -0 --separate-stderr pmap -j1 --lines --bad b.txt --failed f.txt \
	    --joblog j.txt -a k.txt -- sh -c 'ls -l /proc/self/fd/'
	assert_line --regexp '^l.* 0 -> '
	refute_line --regexp '/[bfj]\.txt$'
	run -0 --separate-stderr ppartition -k a -n 2 --bad b.txt -a "$F" \
	    -- sh -c 'ls -l /proc/self/fd/; cat >/dev/null'
	assert_line --regexp '^l.* 0 -> pipe:'
	refute_line --regexp '/b\.txt$'
}
