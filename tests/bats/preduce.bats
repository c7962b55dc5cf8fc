#!/usr/bin/env bats
# preduce: aggregations, keys, partial state and merging, formats, awkward
# CSV, errors and exit statuses, man page examples, Miller differential.

load helper

setup() {
	T=$PFLOW_SOURCE/tests/data/preduce-temps.csv
	cd "$BATS_TEST_TMPDIR"
}

@test "count, sum, mean, min, max per key in order of first appearance" {
	same_for_all_jobs preduce -k city count count:temp sum:temp mean:temp min:temp max:temp "$T"
	assert_success
	assert_output 'city,count,temp_count,temp_sum,temp_mean,temp_min,temp_max
Oslo,3,3,2.25,1.125,-1.25,x
Rome,3,3,61,20.333333333333332,19,21
Lima,2,1,17.5,17.5,17.5,17.5'
	assert_equal "$stderr" 'preduce: 1 non-numeric value skipped'
}

@test "non-numeric values are skipped and counted once per value on stderr" {
	run --separate-stderr preduce -k city sum:temp mean:temp "$T"
	assert_success
	assert_output 'city,temp_sum,temp_mean
Oslo,2.25,1.125
Rome,61,20.333333333333332
Lima,17.5,17.5'
	assert_equal "$stderr" 'preduce: 1 non-numeric value skipped'
	run --separate-stderr preduce -k city count max:temp "$T"
	assert_equal "$stderr" ''
}

@test "first, last, distinct, mode, median, p90, var, stdev" {
	same_for_all_jobs preduce -k city first:note last:note distinct:kind mode:temp median:temp p90:temp var:temp stdev:temp "$T"
	assert_success
	assert_output 'city,note_first,note_last,kind_distinct,temp_mode,temp_median,temp_p90,temp_var,temp_stdev
Oslo,cold,"say ""hi""",2,3.5,1.125,3.025,11.28125,3.3587572106361008
Rome,warm,hot,2,21,21,21,1.3333333333333333,1.1547005383792515
Lima,mild,mild,2,17.5,17.5,17.5,,'
	assert_equal "$stderr" 'preduce: 1 non-numeric value skipped'
}

@test "quantiles follow quantile_cont (interpolation at (n-1)p)" {
	in=$(mkinput q.csv < <(printf 'v\n1\n2\n3\n4\n10\n'))
	same_for_all_jobs preduce median:v p50:v p90:v p95:v p99:v "$in"
	assert_output 'v_median,v_p50,v_p90,v_p95,v_p99
3,3,7.6,8.8,9.76'
}

@test "mode ties go to the value seen first, also across workers" {
	in=$(mkinput m.csv < <(printf 'v\n'; for i in $(seq 1 300); do printf 'b\na\n'; done; printf 'c\nc\n'))
	same_for_all_jobs preduce mode:v distinct:v first:v last:v "$in"
	assert_output 'v_mode,v_distinct,v_first,v_last
b,3,b,c'
}

@test "two keys, NAME, and min/max byte-wise when a value is not a number" {
	same_for_all_jobs preduce -k city,kind count min:note:lo max:temp:hi "$T"
	assert_output 'city,kind,count,lo,hi
Oslo,a,2,cold,x
Rome,b,2,hot,21
Oslo,b,1,"snow, heavy",-1.25
Lima,a,1,,
Rome,a,1,warm,19
Lima,b,1,mild,17.5'
}

@test "keys may be expressions and positions" {
	same_for_all_jobs preduce -k 'c = lower(city), 2' count "$T"
	assert_output 'c,kind,count
oslo,a,2
rome,b,2
oslo,b,1
lima,a,1
rome,a,1
lima,b,1'
}

@test "no -k is one group, also for empty input with a header" {
	same_for_all_jobs preduce count sum:temp "$T"
	assert_output 'count,temp_sum
8,80.75'
	assert_equal "$stderr" 'preduce: 1 non-numeric value skipped'
	run preduce count sum:v < <(printf 'k,v\n')
	assert_success
	assert_output 'count,v_sum
0,'
	run preduce count < /dev/null
	assert_success
	assert_output ''
}

@test "decimals are summed exactly" {
	in=$(mkinput d.csv < <(printf 'v\n0.1\n0.2\n1.005\n-0.3\n'))
	same_for_all_jobs preduce sum:v mean:v var:v "$in"
	assert_output 'v_sum,v_mean,v_var
1.005,0.25125,0.2991729166666667'
}

@test "awkward CSV: quotes, embedded newlines, CRLF, empty key, no final newline" {
	in=$(mkinput aw.csv < <(printf 'k,v\r\n"a",1.5\r\n"b\r\nc",2\r\na,\r\n"",3\r\n"b\r\nc",x'))
	same_for_all_jobs preduce -k k count sum:v min:v max:v "$in"
	assert_output "$(printf 'k,count,v_sum,v_min,v_max\na,2,1.5,1.5,1.5\n"b\r\nc",2,2,2,x\n,1,3,3,3')"
	assert_equal "$stderr" 'preduce: 1 non-numeric value skipped'
}

@test "a BOM is dropped; -H addresses fields by position" {
	run preduce -k k sum:v < <(printf '\xef\xbb\xbfk,v\na,1\n')
	assert_output 'k,v_sum
a,1'
	run preduce -H -k 1 sum:2 < <(printf 'a,1\nb,2\na,3\n')
	assert_output 'a,4
b,2'
}

@test "TSV in and out; JSON Lines writes computed numbers unquoted" {
	same_for_all_jobs preduce --otsv -k city count mean:temp "$T"
	assert_output "city	count	temp_mean
Oslo	3	1.125
Rome	3	20.333333333333332
Lima	2	17.5"
	run --separate-stderr preduce --ojsonl -k city count mean:temp min:temp first:note "$T"
	assert_output '{"city":"Oslo","count":3,"temp_mean":1.125,"temp_min":-1.25,"note_first":"cold"}
{"city":"Rome","count":3,"temp_mean":20.333333333333332,"temp_min":19,"note_first":"warm"}
{"city":"Lima","count":2,"temp_mean":17.5,"temp_min":17.5,"note_first":"mild"}'
	run preduce --tsv -k a sum:b < <(printf 'a\tb\nx\t1\nx\t2\n')
	assert_output "a	b_sum
x	3"
}

@test "--partial writes the documented state columns" {
	same_for_all_jobs preduce --partial -k city count mean:temp min:temp first:note mode:kind p90:temp "$T"
	assert_output 'city,preduce:partial:1,count:count:n,temp_mean:mean:n,temp_mean:mean:sum,temp_min:min:num,temp_min:min:str,note_first:first:value,kind_mode:mode:values,temp_p90:p90:values
Oslo,3,3,2,2.25,,-1.25,cold,2*1:a1:b,-1.25;3.5
Rome,3,3,3,61,19,19,warm,2*1:b1:a,19;21*2
Lima,2,2,1,17.5,17.5,17.5,mild,1:a1:b,17.5'
	assert_equal "$stderr" 'preduce: 1 non-numeric value skipped'
}

all_aggs="count count:temp sum:temp mean:temp min:temp max:temp first:note last:note distinct:note mode:kind stdev:temp var:temp median:temp p50:temp p90:temp p95:temp p99:temp min:note"

@test "--partial on slices then --merge equals one run, for every function" {
	run --separate-stderr preduce -k city $all_aggs "$T"
	whole=$output
	head -4 "$T" > s1.csv
	{ head -1 "$T"; tail -n +5 "$T"; } > s2.csv
	preduce --partial -k city $all_aggs s1.csv > p1.csv 2>/dev/null
	preduce --partial -k city $all_aggs s2.csv > p2.csv 2>/dev/null
	same_for_all_jobs preduce --merge p1.csv p2.csv
	assert_success
	assert_equal "$output" "$whole"
	# concatenated with the second header kept: it is skipped
	cat p1.csv p2.csv > cat.csv
	same_for_all_jobs preduce --merge cat.csv
	assert_equal "$output" "$whole"
	# --merge --partial is partial state again (a second combiner level)
	preduce --merge --partial cat.csv > again.csv
	run preduce --merge again.csv
	assert_equal "$output" "$whole"
}

@test "--merge accepts rows in any order; first/last follow row order" {
	preduce --partial -k city count sum:temp max:temp "$T" 2>/dev/null > p.csv
	{ head -1 p.csv; tail -n +2 p.csv | sort; tail -n +2 p.csv; } > mixed.csv
	same_for_all_jobs preduce --merge mixed.csv
	assert_output 'city,count,temp_sum,temp_max
Lima,4,35,17.5
Oslo,6,4.5,x
Rome,6,122,21'
}

@test "--merge on a large input equals one run, -j1 and -j4" {
	need_shared
	f=$DATA/flights.csv
	run preduce -k origin,destination count mean:delay median:delay mode:date distinct:distance "$f"
	whole=$output
	head -700 "$f" | preduce --partial -k origin,destination count mean:delay median:delay mode:date distinct:distance > a.csv
	{ head -1 "$f"; tail -n +701 "$f"; } | preduce --partial -k origin,destination count mean:delay median:delay mode:date distinct:distance > b.csv
	same_for_all_jobs preduce --merge a.csv b.csv
	assert_equal "$output" "$whole"
}

@test "--merge errors: -k or AGG given, no partial header, bad state" {
	run preduce --merge -k city "$T"
	assert_failure 2
	assert_line --index 0 'preduce: --merge takes no -k or AGG: the partial header names them'
	run preduce --merge "$T"
	assert_failure 2
	assert_output 'preduce: --merge: not a partial header (no preduce:partial:K column after K keys)'
	printf 'k,preduce:partial:1,v_sum:sum:n,v_sum:sum:sum\na,1,1,5\nb,1,x,5\n' > bad.csv
	run preduce --merge bad.csv
	assert_failure 1
	assert_output "k,v_sum
preduce: bad.csv:3 (record 2): bad partial state in column 'v_sum:sum:n': 'x'" 
	printf 'k,preduce:partial:1,v_sum:nope:n\n' > bad2.csv
	run preduce --merge bad2.csv
	assert_failure 2
	assert_output "preduce: --merge: bad partial column 'v_sum:nope:n'"
}

@test "--strict makes a non-number an error naming file, line, record, field and value" {
	run preduce --strict -k city sum:temp "$T"
	assert_failure 1
	assert_output "city,temp_sum
preduce: $T:7 (record 6): field temp: 'x' is not a number (temp_sum)"
	run preduce --strict -j4 --chunk 64 --queue 5 -k city sum:temp "$T"
	assert_failure 1
	assert_line --index 1 "preduce: $T:7 (record 6): field temp: 'x' is not a number (temp_sum)"
	# The first bad value in input order, whichever worker meets it;
	# lines and records count from the start of its file.
	cd "$BATS_TEST_TMPDIR"
	printf 'k,v\na,1\n"b\nc",2\n' >one.csv
	{ echo k,v; for i in $(seq 1 3000); do echo "a,$i"; done; echo a,y; echo a,z; } >two.csv
	for j in 1 2 4; do
		run --separate-stderr preduce --strict -j$j --chunk 1K -k k sum:v one.csv two.csv
		assert_failure 1
		assert_equal "$stderr" "preduce: two.csv:3002 (record 3001): field v: 'y' is not a number (v_sum)"
	done
	run preduce --strict -k city max:temp "$T"
	assert_success
}

@test "usage errors: unknown function, unknown field, missing AGG, bad key" {
	run preduce -k city foo:temp "$T"
	assert_failure 2
	assert_output 'preduce: unknown function "foo" in "foo:temp"; functions are: count, sum, mean, min, max, first, last, distinct, stdev, var, median, pN (a percentile: p90, p99.9), mode'
	run preduce -k city mean "$T"
	assert_failure 2
	assert_output 'preduce: mean needs a field: mean:FIELD'
	run preduce -k city mean:nope "$T"
	assert_failure 2
	assert_output "preduce: unknown field 'nope' in mean:nope; did you mean 'note'? (fields: city, kind, temp, note)"
	run preduce -k nope count "$T"
	assert_failure 2
	assert_line --index 0 "preduce: unknown field 'nope'; did you mean 'note'? (fields: city, kind, temp, note)"
	# a position is named as it was typed
	run --separate-stderr preduce -k city,9 count "$T"
	assert_failure 2
	assert_equal "$stderr" "preduce: unknown field '9' (fields: city, kind, temp, note)"
	run preduce -k city "$T"
	assert_failure 2
	assert_line --index 0 "preduce: missing AGG before the file '$T' (count or FUNC:FIELD): preduce -k city count $T"
	run preduce -k city count nosuchfile.csv
	assert_failure 1
	run preduce --bogus count "$T"
	assert_failure 2
}

@test "operands: AGGs first, then files; a forgotten -k is named" {
	run --separate-stderr preduce city count "$T"
	assert_failure 2
	assert_output ''
	assert_equal "$stderr" "preduce: 'city' is not an AGG (count or FUNC:FIELD); to group by it: preduce -k city AGG...
Try 'preduce --help' for more information."
	# A file named like an AGG is read only as ./NAME, after the AGGs.
	cd "$BATS_TEST_TMPDIR"
	printf 'x\n1\n2\n' > count
	run preduce count sum:x ./count
	assert_success
	assert_output 'count,x_sum
2,3'
	run preduce count < count
	assert_success
	assert_output 'count
2'
	run --separate-stderr preduce
	assert_failure 2
	assert_equal "$stderr" "preduce: missing AGG
Try 'preduce --help' for more information."
}

@test "malformed input stops with status 1, or goes to --bad" {
	in=$(mkinput bad.csv < <(printf 'k,v\na,1\nb\na,2\n'))
	run preduce -k k sum:v "$in"
	assert_failure 1
	assert_output "k,v_sum
preduce: $in:3 (record 2): too few fields"
	run preduce --bad rej.csv -k k sum:v "$in"
	assert_success
	assert_output 'k,v_sum
a,3
preduce: 1 malformed record written to rej.csv'
}

@test "--help and --version" {
	run preduce --help
	assert_success
	assert_line --index 0 'usage: preduce [OPTIONS] [-k KEY[,KEY...]] AGG... [FILE...]'
	run preduce --version
	assert_success
}

@test "a closed stdout ends quietly with status 0" {
	run bash -c 'seq 1 200000 | preduce -H -k 1 count | head -1'
	assert_success
	assert_output '1,1'
}

@test "differential: Miller stats1 count,sum,mean,min,max on flights.csv" {
	command -v mlr >/dev/null || skip "mlr not installed"
	run preduce -k origin count:delay sum:delay mean:delay min:delay max:delay "$DATA/flights.csv"
	mine=$output
	run mlr --icsv --ocsv stats1 -a count,sum,mean,min,max -f delay -g origin "$DATA/flights.csv"
	assert_equal "$mine" "$output"
	run preduce -k origin,destination count:distance sum:distance mean:distance min:distance max:distance -j4 --chunk 1K "$DATA/flights.csv"
	mine=$output
	run mlr --icsv --ocsv stats1 -a count,sum,mean,min,max -f distance -g origin,destination "$DATA/flights.csv"
	assert_equal "$mine" "$output"
}

@test "many groups: 100000 distinct keys, same for every -j" {
	seq 1 300000 | awk 'BEGIN { print "k,v" } { print ($1 * 7919) % 100000 "," $1 }' > big.csv
	run preduce -k k count sum:v -j1 big.csv
	one=$output
	run preduce -k k count sum:v -j4 --chunk 4K big.csv
	assert_equal "$output" "$one"
	assert_equal "$(printf '%s\n' "$output" | wc -l)" 100001
	assert_line --index 1 '7919,3,300003'
}

# Worked cases on the crafted sample in tests/data/ (the man page's
# examples before it moved to the real data in data/).

@test "tests/data: flights per origin" {
	cd "$PFLOW_SOURCE"
	run bash -c 'preduce -k origin count mean:delay max:delay tests/data/flights.csv | head -4'
	assert_output 'origin,count,delay_mean,delay_max
ATL,203,1.47,90
DEN,211,7.830917874396135,99
SFO,180,4.191860465116279,92'
}

@test "tests/data: quantiles and NAME" {
	cd "$PFLOW_SOURCE"
	run bash -c 'preduce -k origin median:delay p90:delay stdev:delay:sd tests/data/flights.csv | head -4'
	assert_output 'origin,delay_median,delay_p90,sd
ATL,0,45,30.409749494555328
DEN,6,45,27.263108731344378
SFO,5.5,44.9,30.330409402613142'
}

@test "tests/data: expression key" {
	cd "$PFLOW_SOURCE"
	run preduce -k 'late = delay > 15' count count:delay distinct:origin tests/data/flights.csv
	assert_output 'late,count,delay_count,origin_distinct
false,1309,1255,10
true,691,691,10'
}

@test "tests/data: one group as JSON Lines" {
	cd "$PFLOW_SOURCE"
	run preduce --ojsonl count mean:delay mode:origin first:date tests/data/flights.csv
	assert_output '{"count":2000,"delay_mean":4.554984583761562,"origin_mode":"DFW","date_first":"2001-01-01T10:43"}'
}

@test "tests/data: two keys on airports" {
	cd "$PFLOW_SOURCE"
	run bash -c 'preduce -k type,iso_country count min:elevation_ft max:name tests/data/airports.csv | head -3'
	assert_output 'type,iso_country,count,elevation_ft_min,name_max
small_airport,US,60,54,Valley Regional
large_airport,CA,5,95,"Valley Regional, Strip 2"'
}

@test "tests/data: partial state of two slices, merged" {
	d=$BATS_TEST_TMPDIR
	cd "$PFLOW_SOURCE"
	head -1001 tests/data/flights.csv | preduce --partial -k origin count mean:delay > "$d/part1.csv"
	{ head -1 tests/data/flights.csv; tail -n +1002 tests/data/flights.csv; } | preduce --partial -k origin count mean:delay > "$d/part2.csv"
	run head -2 "$d/part1.csv"
	assert_output 'origin,preduce:partial:1,count:count:n,delay_mean:mean:n,delay_mean:mean:sum
ATL,104,104,104,10'
	run bash -c "preduce --merge $d/part1.csv $d/part2.csv | head -3"
	assert_output 'origin,count,delay_mean
ATL,203,1.47
DEN,211,7.830917874396135'
}
