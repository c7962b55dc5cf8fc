#!/usr/bin/env bats
# Messages that used to mislead: each says what the user meant.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	cp "$PFLOW_SOURCE/data/flights.csv" f.csv
}

@test "preduce -k KEY FILE: the AGG is missing, shown where it goes" {
	run --separate-stderr preduce -k origin f.csv
	assert_failure 2
	assert_output ''
	assert_equal "$stderr" "preduce: missing AGG before the file 'f.csv' (count or FUNC:FIELD): preduce -k origin count f.csv
Try 'preduce --help' for more information."
	run --separate-stderr preduce f.csv
	assert_equal "${stderr_lines[0]}" "preduce: missing AGG before the file 'f.csv' (count or FUNC:FIELD): preduce count f.csv"
	# a word that is no file and no AGG after -k
	run --separate-stderr preduce -k origin cuont f.csv
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "preduce: 'cuont' is not an AGG (count or FUNC:FIELD): preduce -k origin AGG... [FILE...]"
	# and what the message shows works
	run preduce -k origin count f.csv
	assert_success
}

@test "an expression that starts with '-' is named as such, not as a bad delimiter" {
	run --separate-stderr pfilter -c '-delay > 0' f.csv
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "pfilter: bad delimiter 'elay > 0': an expression that starts with '-' reads as options (-delay > 0); put a space before it (' -delay > 0') or write it as '0 - delay > 0'"
	# both ways the message shows work, and agree with awk
	want=$(awk -F, 'NR > 1 && -$2 > 0' f.csv | wc -l)
	run pfilter -c ' -delay > 0' f.csv
	assert_output "$want"
	run pfilter -c '0 - delay > 0' f.csv
	assert_output "$want"
	# a real bad delimiter keeps its message
	run --separate-stderr pfilter -d ab true f.csv
	assert_equal "${stderr_lines[0]}" "pfilter: bad delimiter 'ab': one byte, not a quote or newline"
}

@test "FILE before EXPR: the order is shown" {
	run --separate-stderr pfilter f.csv 'delay > 300'
	assert_failure 2
	assert_output ''
	assert_equal "${stderr_lines[0]}" "pfilter: 'f.csv' is a file and 'delay > 300' is no file but reads as an expression: the expression comes first: pfilter 'delay > 300' f.csv"
	run --separate-stderr pmap f.csv 'origin, delay'
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "pmap: 'f.csv' is a file and 'origin, delay' is no file but reads as an expression: the expression comes first: pmap 'origin, delay' f.csv"
	# a missing file that reads as no expression stays "No such file"
	run --separate-stderr pfilter 'delay > 300' nosuch.csv
	assert_failure 1
	assert_equal "$stderr" "pfilter: nosuch.csv: No such file or directory"
}

@test "an unknown field on a wide file lists every field, wrapped, and the nearest" {
	run --separate-stderr pfilter 'dme_lat > 3' "$PFLOW_SOURCE/data/navaids.csv"
	assert_failure 2
	assert_equal "$stderr" "pfilter: unknown field 'dme_lat'; did you mean 'dme_latitude_deg'? (fields:
  id, filename, ident, name, type, frequency_khz, latitude_deg,
  longitude_deg, elevation_ft, iso_country, dme_frequency_khz, dme_channel,
  dme_latitude_deg, dme_longitude_deg, dme_elevation_ft,
  slaved_variation_deg, magnetic_variation_deg, usageType, power,
  associated_airport)
  dme_lat > 3
  ^"
	# every name of the header is in the message, whatever its width
	python3 - <<'PY' > wide.csv
print(",".join("column_%03d" % i for i in range(300)))
print(",".join(str(i) for i in range(300)))
PY
	run --separate-stderr preduce -k nope count wide.csv
	assert_failure 2
	for i in 000 150 299; do
		[[ $stderr == *"column_$i"* ]] || fail "column_$i missing"
	done
	run --separate-stderr ptakesort -n 1 -k column_01 wide.csv
	assert_equal "${stderr_lines[0]}" "ptakesort: unknown field 'column_01'; did you mean 'column_001'? (fields:"
}

@test "near misses of functions: did you mean" {
	run --separate-stderr pfilter 'uper(origin) == "BOS"' f.csv
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "pfilter: unknown function 'uper'; did you mean 'upper'? (the functions: 'pflow help expressions')"
	run --separate-stderr pmap 'x = zzzz(origin)' f.csv
	assert_equal "${stderr_lines[0]}" "pmap: unknown function 'zzzz' (the functions: 'pflow help expressions')"
}

@test "an unknown long option: getopt's message, then the nearest option of that tool" {
	local t typed want
	while read -r t typed want; do
		run --separate-stderr "$t" "$typed" f.csv
		assert_failure 2
		assert_output ''
		assert_equal "${#stderr_lines[@]}" 3
		assert_regex "${stderr_lines[0]}" "^.*$t: unrecognized option '$typed'\$"
		assert_equal "${stderr_lines[1]}" "$t: did you mean '$want'?"
		assert_equal "${stderr_lines[2]}" "Try '$t --help' for more information."
	done <<'LIST'
pfilter --uniqe --unique
preduce --sumary --summary
ptakesort --memroy=1G --memory
pscan --stricct --strict
pmap --otabel --otable
pjoin --ignroe-case --ignore-case
ppartition --header-onse --header-once
LIST
	# nothing near, or a prefix of several (getopt lists those): no guess
	run --separate-stderr pfilter --zzzzzz true f.csv
	assert_failure 2
	assert_equal "${#stderr_lines[@]}" 2
	run --separate-stderr pfilter --o true f.csv
	assert_failure 2
	assert_equal "${#stderr_lines[@]}" 2
	assert_regex "${stderr_lines[0]}" "option '--o' is ambiguous"
}
