#!/usr/bin/env bats
# preduce on endless input: --every and --interval snapshots, count, time
# and event windows, late records, output before EOF from slow streams,
# -j1 vs -j4, the flights data by day, errors, and the man page examples
# of ENDLESS INPUT.

load helper

setup() {
	E=$PFLOW_SOURCE/tests/data/preduce-events.csv
	F=$DATA/flights.csv
	cd "$BATS_TEST_TMPDIR"
}

@test "--every N: cumulative snapshots, window = records read; the final one not repeated" {
	same_for_all_jobs preduce --every 500 count mean:delay "$F"
	assert_success
	assert_output 'window,count,delay_mean
500,500,4.248459958932238
1000,1000,3.8923076923076922
1500,1500,4.637730690362269
2000,2000,4.554984583761562'
}

@test "--every N: the final result at EOF when N does not divide the input" {
	in=$(mkinput e.csv < <(printf 'k,v\na,1\nb,2\na,3\nc,4\na,5\n'))
	same_for_all_jobs preduce --every 2 -k k count sum:v "$in"
	assert_output 'window,k,count,v_sum
2,a,1,1
2,b,1,2
4,a,2,4
4,b,1,2
4,c,1,4
5,a,3,9
5,b,1,2
5,c,1,4'
}

@test "--every with awkward CSV: quotes, embedded newline, CRLF, BOM, no final newline" {
	in=$(mkinput a.csv < <(printf '\xef\xbb\xbfk,v\r\n"x, y",1\r\n"multi\nline",2\r\n"x, y",3'))
	same_for_all_jobs preduce --every 2 -k k count sum:v "$in"
	assert_output 'window,k,count,v_sum
2,"x, y",1,1
2,"multi
line",1,2
3,"x, y",2,4
3,"multi
line",1,2'
}

@test "--window count:N resets the groups; window = the first record's number" {
	same_for_all_jobs preduce --window count:800 -k origin count "$F"
	assert_success
	run bash -c "preduce --window count:800 -k origin count '$F' | grep -E '^(window|[0-9]+,ATL,)'"
	assert_output 'window,origin,count
1,ATL,90
801,ATL,68
1601,ATL,45'
}

@test "--window count:N with --every: snapshots of the current window, then the window" {
	same_for_all_jobs preduce --window count:700 --every 300 count mean:delay "$F"
	assert_output 'window,count,delay_mean
1,300,4.160409556313994
1,600,4.029059829059829
1,700,4.450807635829662
701,200,2.979695431472081
701,500,4.524489795918368
701,700,5.175438596491228
1401,100,2.183673469387755
1401,400,2.6917098445595853
1401,600,3.946643717728055'
}

@test "--window event: windows close when a later record arrives; late records counted and written to --bad" {
	same_for_all_jobs preduce --window event:1m --time ts -k user count sum:ms "$E" --bad late.csv
	assert_success
	assert_output 'window,user,count,ms_sum
2024-03-01T10:00:00Z,ann,1,120
2024-03-01T10:00:00Z,bob,1,80
2024-03-01T10:01:00Z,ann,1,200
2024-03-01T10:02:00Z,bob,1,90
2024-03-01T10:03:00Z,ann,1,30'
	assert_equal "$stderr" 'preduce: 4 late records written to late.csv
preduce: 1 record without a valid time (ts) written to late.csv'
	assert_equal "$(cat late.csv)" '2024-03-01T10:00:50Z,"cy, jr",50
2024-03-01T10:00:59Z,ann,70
2024-03-01T10:01:30+01:00,bob,10
not a time,ann,5
2024-03-01T10:02:59Z,cy,40'
}

@test "--lateness keeps windows open longer; without --bad late records are skipped and counted" {
	same_for_all_jobs preduce --window event:1m --lateness 30s --time ts -k user count sum:ms "$E"
	assert_success
	assert_output 'window,user,count,ms_sum
2024-03-01T10:00:00Z,ann,1,120
2024-03-01T10:00:00Z,bob,1,80
2024-03-01T10:00:00Z,"cy, jr",1,50
2024-03-01T10:01:00Z,ann,1,200
2024-03-01T10:02:00Z,bob,1,90
2024-03-01T10:02:00Z,cy,1,40
2024-03-01T10:03:00Z,ann,1,30'
	assert_equal "$stderr" 'preduce: 2 late records skipped
preduce: 1 record without a valid time (ts) skipped'
}

@test "--window event with --every: snapshots of the open windows" {
	same_for_all_jobs preduce --window event:1m --time ts --every 3 count "$E"
	assert_output 'window,count
2024-03-01T10:00:00Z,2
2024-03-01T10:01:00Z,1
2024-03-01T10:01:00Z,1
2024-03-01T10:02:00Z,1
2024-03-01T10:02:00Z,1
2024-03-01T10:03:00Z,1
2024-03-01T10:03:00Z,1'
}

@test "--window event: --stats reports windows and late records" {
	run --separate-stderr preduce --window event:1m --time ts count "$E" --stats
	assert_success
	assert_line --partial -- '2024-03-01T10:03:00Z,1'
	[[ $stderr == *'preduce: 4 windows closed, 4 late records, 1 without a time'* ]]
}

@test "event times: epoch seconds, fractions, offsets, dates alone, windows before 1970" {
	in=$(mkinput t.csv < <(printf 't\n0\n59.999\n60\n1970-01-01T00:02:00+00:00\n1970-01-01 00:02:30\n1970-01-01T01:03+01:00\n-0.5\n1969-12-31\n'))
	same_for_all_jobs preduce --window event:1m --time 1 --lateness 2d count first:t "$in"
	assert_output 'window,count,t_first
1969-12-31T00:00:00Z,1,1969-12-31
1969-12-31T23:59:00Z,1,-0.5
1970-01-01T00:00:00Z,2,0
1970-01-01T00:01:00Z,1,60
1970-01-01T00:02:00Z,2,1970-01-01T00:02:00+00:00
1970-01-01T00:03:00Z,1,1970-01-01T01:03+01:00'
	run preduce --window event:250ms --time t count "$in"
	assert_line --index 1 '1970-01-01T00:00:00Z,1'
	assert_line --index 2 '1970-01-01T00:00:59.750Z,1'
}

@test "--window event: the flights by day (tests/data/flights.csv), checked with awk" {
	same_for_all_jobs preduce --window event:1d --time date -k origin count "$F"
	assert_success
	assert_equal "$stderr" ''
	want=$(awk -F, 'NR > 1 { d = substr($1, 1, 10)
		if (d != day) { flush(); day = d }
		if (!($4 in n)) order[++k] = $4; n[$4]++ }
		function flush(  i) { for (i = 1; i <= k; i++) print day "T00:00:00Z," order[i] "," n[order[i]]; delete n; delete order; k = 0 }
		BEGIN { print "window,origin,count" } END { flush() }' "$F")
	assert_equal "$output" "$want"
	assert_equal "$(printf '%s\n' "$output" | wc -l)" 311
}

@test "--window event: the 3 million flights by day, checked with awk" {
	big=${BENCH_DATA:-/tmp/pflow-bench}/flights-3m.csv
	[ -f "$big" ] || skip "$big is absent (bench/setup.sh makes it)"
	run --separate-stderr preduce --window event:1d --time date -k origin count sum:delay "$big"
	assert_success
	want=$(awk -F, 'NR > 1 { d = substr($1, 1, 10)
		if (d != day) { flush(); day = d }
		if (!($4 in n)) order[++k] = $4; n[$4]++; s[$4] += $2 }
		function flush(  i) { for (i = 1; i <= k; i++) print day "T00:00:00Z," order[i] "," n[order[i]] "," s[order[i]]; delete n; delete s; delete order; k = 0 }
		BEGIN { print "window,origin,count,delay_sum" } END { flush() }' "$big")
	assert_equal "$output" "$want"
	out1=$output
	run --separate-stderr preduce --window event:1d --time date -k origin count sum:delay "$big" -j4 --chunk 64K
	assert_equal "$output" "$out1"
}

@test "-j1 and -j4 agree on shuffled events with lateness, also in --bad" {
	{ head -1 "$F"; tail -n +2 "$F" | awk 'BEGIN { srand(7) } { print rand() "\t" $0 }' | sort -k1,1 | cut -f2-; } > shuf.csv
	for late in 0 12h 2d; do
		run --separate-stderr preduce --window event:1d --time date --lateness $late -k origin count mean:delay shuf.csv --bad b1.csv -j1
		out1=$output err1=$stderr
		run --separate-stderr preduce --window event:1d --time date --lateness $late -k origin count mean:delay shuf.csv --bad b4.csv -j4 --chunk 64 --queue 5
		assert_equal "$output" "$out1"
		assert_equal "${stderr//b4/b1}" "$err1"
		cmp b1.csv b4.csv
		# Every record is either in a window or in --bad.
		n=$(preduce --window event:1d --time date --lateness $late count shuf.csv 2>/dev/null | awk -F, 'NR > 1 { s += $2 } END { print s }')
		assert_equal "$((n + $(wc -l < b1.csv)))" 2000
	done
}

@test "--partial with windows: the window is a key for --merge" {
	run --separate-stderr preduce --partial --window event:7d --time date -k origin count mean:delay "$F"
	assert_line --index 0 'window,origin,preduce:partial:2,count:count:n,delay_mean:mean:n,delay_mean:mean:sum'
	printf '%s\n' "$output" > part.csv
	run preduce --merge part.csv
	assert_success
	want=$(preduce --window event:7d --time date -k origin count mean:delay "$F")
	assert_equal "$output" "$want"
}

@test "JSON Lines: the window is a number for counts, a string for times" {
	run preduce --every 1000 count "$F" --ojsonl
	assert_output '{"window":1000,"count":1000}
{"window":2000,"count":2000}'
	run preduce --window event:1d --time date count "$F" --ojsonl
	assert_line --index 0 '{"window":"2001-01-01T00:00:00Z","count":65}'
}

@test "slow stream: --every writes each snapshot before the next record comes" {
	# The generator sends the third record only once the snapshot of the
	# first two is in the output file; if preduce held it back, the
	# generator gives up after 5s and sends "late" instead.
	( printf 'k\na\nb\n'
	  for i in $(seq 50); do grep -q '^2,b,' out.csv 2>/dev/null && break; sleep 0.1; done
	  grep -q '^2,b,' out.csv && printf 'c\n' || printf 'late\n' ) |
	    preduce --every 2 -k k count > out.csv
	assert_equal "$(cat out.csv)" 'window,k,count
2,a,1
2,b,1
3,a,1
3,b,1
3,c,1'
}

@test "slow stream: --window event writes a window as soon as it closes" {
	( printf 't,v\n2024-01-01T00:00:10,1\n2024-01-01T00:00:20,2\n2024-01-01T00:01:05,3\n'
	  for i in $(seq 50); do grep -q ':00:00Z,' out.csv 2>/dev/null && break; sleep 0.1; done
	  grep -q ':00:00Z,' out.csv && printf '2024-01-01T00:01:30,4\n' || printf '2024-01-01T00:09:00,0\n' ) |
	    preduce --window event:1m --time t count sum:v > out.csv
	assert_equal "$(cat out.csv)" 'window,count,v_sum
2024-01-01T00:00:00Z,2,3
2024-01-01T00:01:00Z,2,7'
}

@test "slow stream: --interval snapshots also while no input comes" {
	( printf 'k\na\n'; sleep 1.2; printf 'b\n'; sleep 0.3 ) | preduce --interval 200ms -k k count > out.csv
	run cat out.csv
	assert_line --index 0 'window,k,count'
	assert_line --index 1 '1,a,1'
	# Four or more identical snapshots during the idle second.
	[ "$(grep -c '^1,a,1$' out.csv)" -ge 4 ]
	assert_equal "$(tail -3 out.csv)" '2,a,1
2,b,1' || assert_equal "$(tail -2 out.csv)" '2,a,1
2,b,1'
}

@test "slow stream: --window time:D writes each window at its end, empty ones too without -k" {
	( printf 'k\na\n'; sleep 1.3; printf 'b\nb\n'; sleep 0.2 ) | preduce --window time:500ms count > out.csv
	run cat out.csv
	assert_line --index 0 'window,count'
	assert_line --index 1 --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z,1$'
	assert_line --index 2 --regexp 'Z,0$'
	# Every record is counted once.
	assert_equal "$(awk -F, 'NR > 1 { s += $2 } END { print s }' out.csv)" 3
}

@test "an idle stream uses no CPU between timers" {
	[ -z "${PFLOW_VALGRIND:-}" ] || skip "CPU time under valgrind"
	( printf 'k\na\n'; sleep 2 ) | { /usr/bin/time -f '%U %S' preduce --interval 100ms count > /dev/null 2> time.txt; }
	# A spinning reader would use about 2 s; start-up alone, under a
	# sanitizer on a loaded machine, has taken up to 0.12 s.
	run awk '{ print ($1 + $2 < 0.5) ? "idle" : "busy " $0 }' time.txt
	assert_output idle
}

@test "errors: bad --window, --every, --interval, --lateness; --time without event windows; --merge with windows" {
	run --separate-stderr preduce --window days:3 count "$F"
	assert_failure 2
	[[ $stderr == *"bad --window 'days:3' (count:N, time:DURATION or event:DURATION, e.g. event:1d)"* ]]
	run --separate-stderr preduce --window count:0 count "$F"
	assert_failure 2
	run --separate-stderr preduce --window event:soon --time date count "$F"
	assert_failure 2
	run --separate-stderr preduce --every 0 count "$F"
	assert_failure 2
	[[ $stderr == *"bad --every '0' (a number of records > 0)"* ]]
	run --separate-stderr preduce --interval x count "$F"
	assert_failure 2
	[[ $stderr == *"bad --interval 'x'"* ]]
	run --separate-stderr preduce --window event:1d --time date --lateness -1s count "$F"
	assert_failure 2
	run --separate-stderr preduce --window event:1d count "$F"
	assert_failure 2
	[[ $stderr == *'--window event:... needs --time FIELD'* ]]
	run --separate-stderr preduce --time date count "$F"
	assert_failure 2
	[[ $stderr == *'--time goes with --window event:...'* ]]
	run --separate-stderr preduce --window count:5 --lateness 1s count "$F"
	assert_failure 2
	run --separate-stderr preduce --merge --every 5 "$F"
	assert_failure 2
	[[ $stderr == *'--merge takes no --every, --interval or --window'* ]]
	run --separate-stderr preduce --window event:1d --time when count "$F"
	assert_failure 2
	assert_equal "$stderr" "preduce: unknown field 'when' in --time (fields: date, delay, distance, origin, destination)"
}

@test "malformed records stop a windowed run; with --bad they go there and the run goes on" {
	in=$(mkinput m.csv < <(printf 't,v\n2024-01-01T00:00:10,1\n2024-01-01T00:01:10,2,extra\n2024-01-01T00:02:10,3\n'))
	run --separate-stderr preduce --window event:1m --time t count "$in"
	assert_failure 1
	[[ $stderr == *'m.csv:3 (record 2): too many fields'* ]]
	same_for_all_jobs preduce --window event:1m --time t count "$in" --bad bad.csv
	assert_success
	assert_output 'window,count
2024-01-01T00:00:00Z,1
2024-01-01T00:02:00Z,1'
	assert_equal "$(cat bad.csv)" '2024-01-01T00:01:10,2,extra'
}

# Windows over the crafted sample in tests/data/ (the man page's ENDLESS
# INPUT examples before they moved to the real data in data/).

@test "tests/data: running totals every 500 flights" {
	cd "$PFLOW_SOURCE" && run preduce --every 500 count mean:delay tests/data/flights.csv
	assert_output 'window,count,delay_mean
500,500,4.248459958932238
1000,1000,3.8923076923076922
1500,1500,4.637730690362269
2000,2000,4.554984583761562'
}

@test "tests/data: flights per day and origin" {
	cd "$PFLOW_SOURCE" && run bash -c 'preduce --window event:1d --time date -k origin count max:delay tests/data/flights.csv | head -4'
	assert_output 'window,origin,count,delay_max
2001-01-01T00:00:00Z,ATL,5,45
2001-01-01T00:00:00Z,DEN,9,19
2001-01-01T00:00:00Z,SFO,4,25'
}

@test "tests/data: weekly windows with a week of lateness" {
	cd "$PFLOW_SOURCE" && run preduce --window event:7d --lateness 7d --time date count mean:delay tests/data/flights.csv
	assert_output 'window,count,delay_mean
2000-12-28T00:00:00Z,194,3.4473684210526314
2001-01-04T00:00:00Z,452,5.123006833712984
2001-01-11T00:00:00Z,451,3.6040723981900453
2001-01-18T00:00:00Z,452,5.380410022779043
2001-01-25T00:00:00Z,451,4.598623853211009'
}

@test "tests/data: count windows of 800 flights" {
	cd "$PFLOW_SOURCE" && run bash -c "preduce --window count:800 -k origin count tests/data/flights.csv | grep -e window -e ATL"
	assert_output 'window,origin,count
1,ATL,90
801,ATL,68
1601,ATL,45'
}

@test "--strict with snapshots: those before the bad record, then the error" {
	T=$PFLOW_SOURCE/tests/data/preduce-temps.csv
	for j in 1 4; do
		run --separate-stderr preduce --strict -j$j --every 2 -k city sum:temp "$T"
		assert_failure 1
		assert_output 'window,city,temp_sum
2,Oslo,3.5
2,Rome,21
4,Oslo,2.25
4,Rome,21
4,Lima,'
		assert_equal "$stderr" "preduce: $T:7 (record 6): field temp: 'x' is not a number (temp_sum)"
	done
}
