#!/usr/bin/env bats
# The scale-out recipe of pflow(7): pflow under a map-shuffle-reduce
# engine's contract (Hadoop Streaming: mapper and reducer read stdin and
# write stdout, records are sorted by key between them). pfilter/pmap map,
# preduce --partial combines, sort shuffles, preduce --merge reduces; and
# ppartition -n 4 -- preduce --partial stands in for four machines. Each
# result must equal one plain preduce over the whole input.

load helper

# Every function whose partial state is mergeable; first, last and mode
# (whose ties go to the first value seen) depend on row order, see ORDERED.
UNORDERED='count sum:distance mean:delay min:delay max:date median:delay p90:delay p99:distance distinct:destination var:delay stdev:delay count:delay'
ORDERED='first:date last:date mode:destination'

setup() {
	F=$DATA/flights.csv
	A=$DATA/airports.csv
	cd "$BATS_TEST_TMPDIR"
	export LC_ALL=C
	# the mapper's input splits, as an engine would cut them: header-less
	# pieces of the file, the first one starting with the header
	split -l 600 "$F" split.
}

# sorted_rows: keeps the header line first and sorts the rest, so outputs
# whose groups come in a different order compare equal.
sorted_rows() {
	(IFS= read -r h; printf '%s\n' "$h"; sort)
}

# rehead HEADER: the header, then stdin without any line equal to it; what
# a mapper or reducer does when its input split may or may not hold it.
rehead() {
	printf '%s\n' "$1"
	grep -vxF -- "$1" || true
}

# mapper: the per-split work, then the combiner.
map_combine() {
	rehead "$(head -1 "$F")" |
	    pfilter '!isempty(delay)' |
	    pmap '*, late = delay > 15' |
	    preduce --partial -k origin,late "$@"
}

# single AGG...: one plain run over the whole input, to want.csv: the
# ten origins, each late or not, under the header.
single() {
	pfilter '!isempty(delay)' "$F" | pmap '*, late = delay > 15' |
	    preduce -k origin,late "$@" | sorted_rows > want.csv
	assert_equal "$(wc -l < want.csv)" 21
}

@test "sample input is cut into several splits" {
	run ls split.*
	assert_output 'split.aa
split.ab
split.ac
split.ad'
}

@test "Hadoop-style: mapper + combiner per split, sort -s on the key, --merge reducer" {
	single $UNORDERED $ORDERED
	for s in split.*; do map_combine $UNORDERED $ORDERED < "$s"; done > mapped.csv
	# four headers, one per combiner; the shuffle keeps the first in front
	run grep -c '^origin,late,preduce:partial:2,' mapped.csv
	assert_output 4
	# a stable sort on the key keeps each key's rows in split order, so
	# first, last and mode's ties are those of one run
	(IFS= read -r h; printf '%s\n' "$h"; sort -s -t, -k1,2) < mapped.csv |
	    preduce --merge | sorted_rows > got.csv
	run cat got.csv
	assert_output "$(cat want.csv)"
}

@test "Hadoop-style with a plain sort shuffle: order-free functions equal one run" {
	single $UNORDERED
	for s in split.*; do map_combine $UNORDERED < "$s"; done > mapped.csv
	(IFS= read -r h; printf '%s\n' "$h"; sort) < mapped.csv |
	    preduce --merge | sorted_rows > got.csv
	run cat got.csv
	assert_output "$(cat want.csv)"
}

@test "the reducer re-heads its input: header-less key ranges, as two reducers get them" {
	single $UNORDERED $ORDERED
	for s in split.*; do map_combine $UNORDERED $ORDERED < "$s"; done > mapped.csv
	h=$(head -1 mapped.csv)
	# the shuffle: rows sorted by key and cut into two reducers' ranges
	# (keys A-L and M-Z), headers anywhere, as an engine would deliver them
	grep -vxF "$h" mapped.csv | sort -s -t, -k1,2 > shuffled.csv
	awk -F, '$1 < "M"' shuffled.csv > r1.in
	awk -F, '$1 >= "M"' shuffled.csv > r2.in
	{ rehead "$h" < r1.in | preduce --merge
	  rehead "$h" < r2.in | preduce --merge | tail -n +2; } | sorted_rows > got.csv
	run cat got.csv
	assert_output "$(cat want.csv)"
}

@test "ppartition -n 4 -- preduce --partial: four machines, then --merge" {
	single $UNORDERED $ORDERED
	pfilter '!isempty(delay)' "$F" | pmap '*, late = delay > 15' |
	    ppartition -k origin -n 4 --header-once -- \
	        preduce --partial -k origin,late $UNORDERED $ORDERED |
	    preduce --merge | sorted_rows > got.csv
	run cat got.csv
	assert_output "$(cat want.csv)"
}

@test "ppartition without --header-once: --merge skips the repeated headers" {
	single $UNORDERED $ORDERED
	pfilter '!isempty(delay)' "$F" | pmap '*, late = delay > 15' |
	    ppartition -k origin -n 4 -- \
	        preduce --partial -k origin,late $UNORDERED $ORDERED > parts.csv
	run grep -c '^origin,late,preduce:partial:2,' parts.csv
	assert_output 4
	same_for_all_jobs preduce --merge parts.csv
	assert_success
	run sorted_rows <<<"$output"
	assert_output "$(cat want.csv)"
}

@test "partitioned on a key other than the group key: every function still merges" {
	# origin groups spread over all four partitions, each in input order
	# within its partition but not across them: order-free functions only
	single $UNORDERED
	pfilter '!isempty(delay)' "$F" | pmap '*, late = delay > 15' |
	    ppartition -k destination -n 4 --header-once -- \
	        preduce --partial -k origin,late $UNORDERED |
	    preduce --merge | sorted_rows > got.csv
	run cat got.csv
	assert_output "$(cat want.csv)"
}

@test "two combiner levels: --merge --partial, then --merge" {
	single $UNORDERED $ORDERED
	for s in split.*; do map_combine $UNORDERED $ORDERED < "$s"; done > mapped.csv
	head -1 mapped.csv > h.csv
	# two racks, each merging its two mappers' output into partial state
	awk -v h="$(cat h.csv)" '$0 == h { n++ } { print > ("m" n ".csv") }' mapped.csv
	cat m1.csv m2.csv | preduce --merge --partial > rack1.csv
	cat m3.csv m4.csv | preduce --merge --partial > rack2.csv
	preduce --merge rack1.csv rack2.csv | sorted_rows > got.csv
	run cat got.csv
	assert_output "$(cat want.csv)"
}

@test "top countries by open airports, scaled out, equal the single pipeline" {
	pfilter 'type != "closed"' "$A" | preduce -k iso_country count |
	    ptakesort -n 10 -k count:desc,iso_country > want.csv
	ppartition -k iso_country -n 4 --header-once -a "$A" -- \
	    sh -c 'pfilter "type != \"closed\"" | preduce --partial -k iso_country count' |
	    preduce --merge | ptakesort -n 10 -k count:desc,iso_country > got.csv
	run cat got.csv
	assert_output "$(cat want.csv)"
	assert_equal "$(wc -l < got.csv)" 11
	assert_line --index 0 'iso_country,count'
	assert_line --index 1 'US,106'
}

@test "keys with commas and quotes survive the text shuffle (any row order merges)" {
	pmap 'name, elevation_ft' "$A" | preduce -k name count mean:elevation_ft | sorted_rows > want.csv
	{ head -301 "$A" | preduce --partial -k name count mean:elevation_ft
	  { head -1 "$A"; tail -n +302 "$A"; } | preduce --partial -k name count mean:elevation_ft; } > mapped.csv
	(IFS= read -r h; printf '%s\n' "$h"; sort) < mapped.csv | preduce --merge | sorted_rows > got.csv
	run cat got.csv
	assert_output "$(cat want.csv)"
	assert_equal "$(wc -l < got.csv)" "$(wc -l < want.csv)"
	run grep -c '"' got.csv
	refute_output 0
}
