#!/usr/bin/env bats
# faults: the world misbehaving around a tool. A full disk on stdout, a
# reader that goes away, inputs that cannot be read or vanish, children
# killed by signals, SIGTERM mid-run: each gives an exact status and
# message, and nothing hangs or is left running.

load helper

# Skips the test unless every named tool is built.
need_tools() {
	local t
	for t in "$@"; do
		[ -x "$PFLOW_BUILD/$t" ] || skip "$t is not built"
	done
}

setup() {
	F=$(mkinput f.csv <<'CSV'
a,b
1,x
2,"y, z"
3,w
CSV
)
	# Enough output for many batches and many writes.
	BIG=$BATS_TEST_TMPDIR/big.csv
	{ echo a,b; seq 1 200000 | sed 's/$/,some text/'; } >"$BIG"
}

# Runs "$@" with stdout on /dev/full, like bats' run.
run_full() {
	run --separate-stderr bash -c '"$@" >/dev/full' _ "$@"
}

# True while process $1 exists (and is not a zombie).
alive() {
	local state
	state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ $state != Z* ]]
}

# Waits up to 5 seconds for the processes whose ids are in file $1 to end;
# kills those that do not (they are this test's own children) and fails.
all_gone() {
	local i pid left
	for ((i = 0; i < 50; i++)); do
		left=
		while read -r pid; do
			if alive "$pid"; then left="$left $pid"; fi
		done <"$1"
		[ -n "$left" ] || return 0
		sleep 0.1
	done
	for pid in $left; do kill -KILL "$pid"; done
	echo "still running after SIGTERM:$left"
	return 1
}

@test "stdout on a full disk: status 1 and 'write error'" {
	local t cmd
	for cmd in "pfilter true" "pmap a,b" "preduce -k a count" \
	    "ptakesort -n 5 -k a"; do
		t=${cmd%% *}
		[ -x "$PFLOW_BUILD/$t" ] || continue
		echo "# $cmd"
		# shellcheck disable=SC2086
		run_full $cmd "$F"
		assert_equal "$status" 1
		assert_equal "$stderr" "$t: write error: No space left on device"
		# Many batches in flight when the first write fails.
		# shellcheck disable=SC2086
		run_full $cmd -j4 --chunk 4K "$BIG"
		assert_equal "$status" 1
		assert_equal "$stderr" "$t: write error: No space left on device"
	done
}

@test "pmap command mode: stdout on a full disk is status 1 and 'write error'" {
	need_tools pmap
	run_full pmap -a "$F" -- echo {a}
	assert_equal "$status" 1
	assert_equal "$stderr" "pmap: write error: No space left on device"
}

@test "ppartition: a partition file on a full disk, and stdout on a full disk" {
	need_tools ppartition
	mkdir "$BATS_TEST_TMPDIR/d"
	ln -s /dev/full "$BATS_TEST_TMPDIR/d/p0"
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr ppartition -k a -n 1 -o 'd/p{}' "$F"
	assert_failure 1
	assert_equal "$stderr" "ppartition: d/p0: No space left on device"

	run_full ppartition -k a -n 2 -a "$F" -- cat
	assert_equal "$status" 1
	assert_equal "$stderr" "ppartition: write error: No space left on device"
}

@test "stdout closed early (| head -1): status 0 and no message" {
	local t cmd st
	for cmd in "pfilter true" "pmap a,b" "preduce -k a count" \
	    "ptakesort -n 100000 -k a:num:desc"; do
		t=${cmd%% *}
		[ -x "$PFLOW_BUILD/$t" ] || continue
		echo "# $cmd"
		# shellcheck disable=SC2086
		run --separate-stderr bash -c '"$@" -j4 --chunk 4K | head -1; exit ${PIPESTATUS[0]}' _ $cmd "$BIG"
		assert_success
		assert_equal "$stderr" ""
		case $t in
		preduce) assert_output 'a,count' ;;
		*) assert_output 'a,b' ;;
		esac
	done
}

@test "stdout closed early on endless input: the tool ends at once, status 0" {
	local t cmd
	for cmd in "pfilter true" "pmap a"; do
		t=${cmd%% *}
		[ -x "$PFLOW_BUILD/$t" ] || continue
		echo "# $cmd"
		# shellcheck disable=SC2086
		run --separate-stderr timeout 20 bash -c '(echo a; yes 1) | "$@" | head -3; exit ${PIPESTATUS[1]}' _ $cmd
		assert_success
		assert_equal "$stderr" ""
		assert_output 'a
1
1'
	done
}

@test "command modes: stdout closed early is status 0 and no message" {
	need_tools pmap ppartition
	# Several times: the reader thread may be mid-read when pmap stops.
	for i in 1 2 3 4 5; do
		run --separate-stderr timeout 20 bash -c 'pmap -a "$1" -j2 -- echo {} | head -1; exit ${PIPESTATUS[0]}' _ "$BIG"
		assert_success
		assert_output '1,some text'
		assert_equal "$stderr" ""
	done
	run --separate-stderr timeout 20 bash -c 'ppartition -k a -n 3 -a "$1" -- cat | head -1; exit ${PIPESTATUS[0]}' _ "$BIG"
	assert_success
	assert_output 'a,b'
	assert_equal "$stderr" ""
}

@test "an input that is a directory or missing: status 1 naming it" {
	local t cmd
	for cmd in "pfilter true" "pmap a" "preduce count" "ptakesort -n 1 -k a" \
	    "ppartition -k a -n 1 -o $BATS_TEST_TMPDIR/p{}"; do
		t=${cmd%% *}
		[ -x "$PFLOW_BUILD/$t" ] || continue
		echo "# $cmd"
		# shellcheck disable=SC2086
		run --separate-stderr $cmd "$BATS_TEST_TMPDIR"
		assert_failure 1
		assert_equal "$stderr" "$t: $BATS_TEST_TMPDIR: is a directory"
		# shellcheck disable=SC2086
		run --separate-stderr $cmd "$BATS_TEST_TMPDIR/missing.csv"
		assert_failure 1
		assert_equal "$stderr" "$t: $BATS_TEST_TMPDIR/missing.csv: No such file or directory"
		# The files before it are read; then the error stops the tool.
		# shellcheck disable=SC2086
		run --separate-stderr $cmd "$F" "$BATS_TEST_TMPDIR/missing.csv"
		assert_failure 1
		assert_equal "$stderr" "$t: $BATS_TEST_TMPDIR/missing.csv: No such file or directory"
	done
	need_tools pfilter
	run --separate-stderr pfilter true "$F" "$BATS_TEST_TMPDIR/missing.csv"
	assert_output 'a,b
1,x
2,"y, z"
3,w'
}

@test "command modes: a missing -a FILE is status 1 naming it" {
	need_tools pmap ppartition
	run --separate-stderr pmap -a "$BATS_TEST_TMPDIR/missing.csv" -- echo {}
	assert_failure 1
	assert_equal "$stderr" "pmap: $BATS_TEST_TMPDIR/missing.csv: No such file or directory"
	run --separate-stderr ppartition -k a -n 2 -a "$BATS_TEST_TMPDIR/missing.csv" -- cat
	assert_failure 1
	assert_equal "$stderr" "ppartition: $BATS_TEST_TMPDIR/missing.csv: No such file or directory"
}

@test "an input file removed mid-run is still read to its end" {
	local t cmd want
	for cmd in "pfilter true" "pmap a,b" "ptakesort -n 300000 -k a"; do
		t=${cmd%% *}
		[ -x "$PFLOW_BUILD/$t" ] || continue
		echo "# $cmd"
		cp "$BIG" "$BATS_TEST_TMPDIR/doomed.csv"
		want=$(md5sum <"$BIG")
		# A slow reader holds the tool back while the file goes.
		# shellcheck disable=SC2086
		$cmd -j2 --chunk 4K --queue 2 "$BATS_TEST_TMPDIR/doomed.csv" |
		    (sleep 0.5; cat) >"$BATS_TEST_TMPDIR/out" &
		sleep 0.2
		rm "$BATS_TEST_TMPDIR/doomed.csv"
		wait $!
		run md5sum <"$BATS_TEST_TMPDIR/out"
		assert_output "$want"
	done
}

@test "pmap: a command killed by a signal fails its record, status 1" {
	need_tools pmap
	run --separate-stderr pmap -j2 -a "$F" -- sh -c 'if [ "$1" = 2 ]; then kill -KILL $$; fi; echo "r$1"' sh {a}
	assert_failure 1
	assert_output 'r1
r3'
	assert_equal "$stderr" 'pmap: record 2: killed by signal 9
pmap: 1 of 3 commands failed'
}

@test "ppartition: a copy killed by a signal is reported, status 1" {
	need_tools ppartition
	run --separate-stderr ppartition -k a -n 3 -a "$BIG" -- sh -c 'if [ "$PFLOW_PARTITION" = 1 ]; then kill -KILL $$; fi; exec wc -l'
	assert_failure 1
	assert_line --index 0 --regexp '^[0-9]+$'
	assert_equal "${#lines[@]}" 2
	run bash -c "printf '%s\n' \"\$1\" | grep -v 'stopped reading its input'" _ "$stderr"
	assert_output 'ppartition: sh (PFLOW_PARTITION=1) was killed by signal 9 (Killed)'
}

@test "SIGTERM mid-run ends a streaming tool at once (status 143, by the signal)" {
	local t cmd pid st
	for cmd in "pfilter true" "pmap \$1" "preduce count" "ptakesort -n 3 -k 1" \
	    "ppartition -k 1 -n 2 -o $BATS_TEST_TMPDIR/p{}"; do
		t=${cmd%% *}
		[ -x "$PFLOW_BUILD/$t" ] || continue
		echo "# $cmd"
		# shellcheck disable=SC2086
		$cmd -H >/dev/null 2>"$BATS_TEST_TMPDIR/err" < <(yes 1) &
		pid=$!
		sleep 0.3
		alive $pid
		kill -TERM $pid
		st=0
		wait $pid || st=$?
		assert_equal "$st" 143
		assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" ""
	done
}

@test "SIGTERM mid-run: pmap stops its commands, writes what they gave, status 1" {
	need_tools pmap
	local pid st
	pmap -j2 -a "$F" -- sh -c 'echo "start $1"; echo $$ >>"$2"; exec sleep 30' sh {a} "$BATS_TEST_TMPDIR/pids" \
	    >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	wait_until has_lines "$BATS_TEST_TMPDIR/pids" 2
	kill -TERM $pid
	st=0
	wait $pid || st=$?
	assert_equal "$st" 1
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" 'start 1
start 2'
	# The two commands die together: their reports come in either order.
	assert_equal "$(head -2 "$BATS_TEST_TMPDIR/err" | sort)" 'pmap: record 1: killed by signal 15
pmap: record 2: killed by signal 15'
	assert_equal "$(tail -n +3 "$BATS_TEST_TMPDIR/err")" 'pmap: interrupted by SIGTERM: 2 of 2 commands failed'
	all_gone "$BATS_TEST_TMPDIR/pids"
}

@test "SIGTERM mid-run: ppartition leaves no copy of COMMAND running" {
	need_tools ppartition
	local pid st
	ppartition -k a -n 2 -a "$F" -- sh -c 'echo $$ >>"$1"; cat; exec sleep 30' sh "$BATS_TEST_TMPDIR/pids" \
	    >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	wait_until has_lines "$BATS_TEST_TMPDIR/pids" 2
	kill -TERM $pid
	st=0
	wait $pid || st=$?
	[ "$st" -ne 0 ]
	all_gone "$BATS_TEST_TMPDIR/pids"
}
