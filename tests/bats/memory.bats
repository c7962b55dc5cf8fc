#!/usr/bin/env bats
# memory: bounded memory as behaviour. A gigabyte of generated input
# streamed through a pipe, and endless input into a consumer that sleeps,
# must each leave the tool's peak RSS (GNU time's %M) under 64 MiB: the
# bounded queue, not the input size, decides memory. Suite 'slow'.

load helper

LIMIT_KB=65536
GB_LINES=20000000	# 20M records of 53 bytes: 1.06 GB

need_tools() {
	local t
	for t in "$@"; do
		[ -x "$PFLOW_BUILD/$t" ] || skip "$t is not built"
	done
	[ -x /usr/bin/time ] || skip "GNU time (package time) is not installed"
}

# A gigabyte of CSV with quoted fields, generated as it is read.
gigabyte() {
	echo 'id,text,q,x'
	yes '12345,some text here,"quoted, with ""quotes""",3.25' |
	    head -n "$GB_LINES"
}

# Endless CSV.
endless() {
	echo 'id,text,q,x'
	yes '12345,some text here,"quoted, with ""quotes""",3.25'
}

# peak CMD...: runs CMD with the gigabyte on stdin under GNU time; sets
# RSS (KiB) and OUT (the output's line count).
peak() {
	local rss=$BATS_TEST_TMPDIR/rss
	OUT=$(gigabyte | /usr/bin/time -f %M -o "$rss" "$@" | wc -l)
	RSS=$(tail -n 1 "$rss")
	echo "# $*: peak RSS $RSS KiB on 1 GB" >&3
}

# peak_endless CMD...: runs CMD on endless input into a consumer that
# sleeps 3 s then reads one line; sets RSS (KiB) and OUT (that line).
peak_endless() {
	local rss=$BATS_TEST_TMPDIR/rss
	export -f endless
	OUT=$(timeout 60 bash -c 'endless | /usr/bin/time -f %M -o "$1" "${@:2}" | (sleep 3; head -n 1)' _ "$rss" "$@")
	RSS=$(tail -n 1 "$rss")
	echo "# $*: peak RSS $RSS KiB on endless input, slow reader" >&3
}

@test "pfilter: 1 GB through a pipe in under 64 MiB, no record lost" {
	need_tools pfilter
	peak pfilter 'x > 3'
	assert_equal "$OUT" $((GB_LINES + 1))
	[ "$RSS" -lt $LIMIT_KB ]
}

@test "pmap: 1 GB through a pipe in under 64 MiB, no record lost" {
	need_tools pmap
	peak pmap 'id, q, y = x * 2'
	assert_equal "$OUT" $((GB_LINES + 1))
	[ "$RSS" -lt $LIMIT_KB ]
}

@test "ptakesort -n 10: 1 GB through a pipe in under 64 MiB" {
	need_tools ptakesort
	peak ptakesort -n 10 -k x:num:desc,id
	assert_equal "$OUT" 11
	[ "$RSS" -lt $LIMIT_KB ]
}

@test "preduce with few groups: 1 GB through a pipe in under 64 MiB" {
	need_tools preduce
	peak preduce -k q count sum:x
	assert_equal "$OUT" 2
	[ "$RSS" -lt $LIMIT_KB ]
}

@test "ppartition -o: 1 GB through a pipe in under 64 MiB, no record lost" {
	need_tools ppartition
	local d=$BATS_TEST_TMPDIR/parts i
	mkdir "$d"
	# Partitions go to /dev/null: the test is about memory, not disk.
	for i in 0 1 2 3; do ln -s /dev/null "$d/p$i"; done
	peak ppartition -k id,text -n 4 -o "$d/p{}"
	[ "$RSS" -lt $LIMIT_KB ]
}

@test "pfilter: endless input into a sleeping reader stays under 64 MiB" {
	need_tools pfilter
	peak_endless pfilter true
	assert_equal "$OUT" 'id,text,q,x'
	[ "$RSS" -lt $LIMIT_KB ]
}

@test "pmap: endless input into a sleeping reader stays under 64 MiB" {
	need_tools pmap
	peak_endless pmap -j4 'id, y = x * 2'
	assert_equal "$OUT" 'id,y'
	[ "$RSS" -lt $LIMIT_KB ]
}

@test "ppartition: endless input into slow copies stays under 64 MiB" {
	need_tools ppartition
	local rss=$BATS_TEST_TMPDIR/rss
	export -f endless
	# The copies sleep, then read one line each and exit: ppartition
	# must wait for them without buffering, then end.
	run timeout 60 bash -c 'endless | /usr/bin/time -f %M -o "$1" ppartition -k id -n 2 -- sh -c "sleep 3; head -n 1" | head -n 1' _ "$rss"
	RSS=$(tail -n 1 "$rss")
	echo "# ppartition command mode: peak RSS $RSS KiB on endless input, slow copies" >&3
	[ "$RSS" -lt $LIMIT_KB ]
}
