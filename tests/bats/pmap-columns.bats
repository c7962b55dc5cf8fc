#!/usr/bin/env bats
# pmap column lists: `*` as the fields not named elsewhere, positions,
# ranges, regex selections, renames in place and removals, against
# Miller (cut -o -f, cut -r -f, cut -x, reorder, rename) on real files.

load helper

setup() {
	NAV=$PFLOW_SOURCE/data/navaids.csv
	FL=$PFLOW_SOURCE/data/flights.csv
	command -v mlr >/dev/null || skip "mlr not installed"
}

# header NAME FILE: the 1-based positions' names, comma-joined: "2,4".
names_at() {
	python3 - "$1" "$2" <<'PY'
import csv, sys
h = next(csv.reader(open(sys.argv[2], newline="")))
print(",".join(h[int(i) - 1] for i in sys.argv[1].split(",")))
PY
}

@test "'origin, *' moves origin to the front, once (mlr reorder -f)" {
	same_for_all_jobs pmap 'origin, *' "$FL"
	assert_success
	assert_line --index 0 'origin,date,delay,distance,destination'
	assert_equal "$output" "$(mlr --csv reorder -f origin "$FL")"
	same_for_all_jobs pmap '*, date' "$FL"
	assert_equal "$output" "$(mlr --csv reorder -e -f date "$FL")"
	same_for_all_jobs pmap 'destination, origin, *' "$FL"
	assert_equal "$output" "$(mlr --csv reorder -f destination,origin "$FL")"
	# a computed column of an input field's name also takes it out of *
	run pmap 'origin = lower(origin), *' "$FL"
	assert_line --index 0 'origin,date,delay,distance,destination'
	assert_line --index 1 "$(mlr --csv --headerless-csv-output head -n 1 \
	    then put '$origin = tolower($origin)' then reorder -f origin "$FL")"
}

@test "a bare integer is a position, as in -k (mlr cut -o -f by name)" {
	same_for_all_jobs pmap '1,4' "$NAV"
	assert_success
	assert_equal "$output" "$(mlr --csv cut -o -f "$(names_at 1,4 "$NAV")" "$NAV")"
	same_for_all_jobs pmap '4, 1, $2' "$NAV"
	assert_equal "$output" "$(mlr --csv cut -o -f "$(names_at 4,1,2 "$NAV")" "$NAV")"
	run --separate-stderr pmap '1, 21' "$NAV"
	assert_failure 2
	assert_output ''
	assert_equal "${stderr%%$'\n'*}" "pmap: unknown field '21' (fields:"
}

@test "ranges by position and by name, open and reversed (xsv select 2-4)" {
	local want
	want=$(mlr --csv cut -o -f "$(names_at 2,3,4 "$NAV")" "$NAV")
	for r in 2..4 '$2..$4' filename..name '{filename}..{name}' 2..name; do
		same_for_all_jobs pmap "$r" "$NAV"
		assert_success
		assert_equal "$output" "$want"
	done
	same_for_all_jobs pmap '4..2' "$NAV"
	assert_equal "$output" "$(mlr --csv cut -o -f "$(names_at 4,3,2 "$NAV")" "$NAV")"
	same_for_all_jobs pmap 'usageType..' "$NAV"
	assert_equal "$output" "$(mlr --csv cut -o -f "$(names_at 18,19,20 "$NAV")" "$NAV")"
	same_for_all_jobs pmap '..2, ident' "$NAV"
	assert_equal "$output" "$(mlr --csv cut -o -f id,filename,ident "$NAV")"
	# a range is no arithmetic: 1 . .5 still concatenates
	run pmap 'x = 1 . .5' "$FL"
	assert_line --index 1 '10.5'
}

@test "a regex selects fields by name (mlr cut -r -f), -/re/ removes them (cut -x -r)" {
	same_for_all_jobs pmap '/^dme_/' "$NAV"
	assert_success
	assert_equal "$output" "$(mlr --csv cut -r -f '^dme_' "$NAV")"
	same_for_all_jobs pmap '/_DEG$/i, *' "$NAV"
	assert_equal "$output" "$(mlr --csv reorder -f "$(head -1 "$NAV" |
	    tr -d '"' | tr , '\n' | grep '_deg$' | paste -sd,)" "$NAV")"
	same_for_all_jobs pmap '*, -/^dme_|_deg$/' "$NAV"
	assert_equal "$output" "$(mlr --csv cut -x -r -f '^dme_,_deg$' "$NAV")"
	run --separate-stderr pmap '/^nothing/' "$NAV"
	assert_failure 2
	assert_equal "$stderr" "pmap: no field matches /^nothing/
  /^nothing/
  ^"
}

@test "old as new renames in place after *, selects and renames before it (mlr rename)" {
	same_for_all_jobs pmap '*, origin as from, destination AS to' "$FL"
	assert_success
	assert_equal "$output" "$(mlr --csv rename origin,from,destination,to "$FL")"
	same_for_all_jobs pmap 'origin as from, *' "$FL"
	assert_equal "$output" "$(mlr --csv rename origin,from then reorder -f from "$FL")"
	same_for_all_jobs pmap '4 as {the origin}, 1' "$FL"
	assert_equal "$output" "$(mlr --csv cut -o -f origin,date then rename origin,'the origin' "$FL")"
	run --separate-stderr pmap '*, orign as from' "$FL"
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "pmap: unknown field 'orign'; did you mean 'origin'? (fields: date, delay, distance, origin, destination)"
}

@test "-NAME, -N and -a..b remove columns (mlr cut -x -f)" {
	same_for_all_jobs pmap '*, -delay, -5' "$FL"
	assert_success
	assert_equal "$output" "$(mlr --csv cut -x -f delay,destination "$FL")"
	same_for_all_jobs pmap '*, -frequency_khz..iso_country' "$NAV"
	assert_equal "$output" "$(mlr --csv cut -x -f "$(names_at 6,7,8,9,10 "$NAV")" "$NAV")"
	run --separate-stderr pmap 'origin, -/^d/' "$FL"
	assert_failure 2
	assert_equal "$stderr" "pmap: no column '/^d/' to remove
  origin, -/^d/
          ^"
}

@test "without a header: positions and ranges are the record's fields" {
	G=$(mkinput g.csv < <(printf '1,a,x\n2,b,y\n'))
	same_for_all_jobs pmap -H '3, 1..2' "$G"
	assert_success
	assert_output 'x,1,a
y,2,b'
	same_for_all_jobs pmap -H '2, *' "$G"
	assert_output 'a,1,x
b,2,y'
}

@test "random column lists agree with a model of the documented rules" {
	cd "$BATS_TEST_TMPDIR"
	python3 "$PFLOW_SOURCE/tests/columns_oracle.py" 150 "$PFLOW_BUILD/pmap"
}
