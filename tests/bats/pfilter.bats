#!/usr/bin/env bats
# pfilter: selection, formats, awkward CSV, errors and exit statuses.

load helper

setup() {
	F=$(mkinput f.csv <<'CSV'
id,name,delay
1,alpha,5
2,"beta, the second",70
3,gamma,
4,"say ""hi""",61
CSV
)
}

@test "writes the header and the records for which EXPR is true" {
	same_for_all_jobs pfilter 'delay > 60' "$F"
	assert_success
	assert_output 'id,name,delay
2,"beta, the second",70
4,"say ""hi""",61'
}

@test "-v writes the records for which EXPR is false, empty fields included" {
	same_for_all_jobs pfilter -v 'delay > 60' "$F"
	assert_success
	assert_output 'id,name,delay
1,alpha,5
3,gamma,'
}

@test "-c prints only the count" {
	same_for_all_jobs pfilter -c 'delay > 60' "$F"
	assert_output '2'
	run pfilter -c 'delay > 1000' "$F"
	assert_output '0'
}

@test "string comparison, regex, in and field positions" {
	same_for_all_jobs pfilter 'name =~ /^b/ || $1 == 1' "$F"
	assert_output 'id,name,delay
1,alpha,5
2,"beta, the second",70'
	run pfilter 'id in (3, 4)' "$F"
	assert_output 'id,name,delay
3,gamma,
4,"say ""hi""",61'
	run pfilter 'name == "say \"hi\""' "$F"
	assert_output 'id,name,delay
4,"say ""hi""",61'
}

@test "{odd name} refers to a field whose name is not an identifier" {
	G=$(mkinput g.csv <<'CSV'
elevation ft,x
10,a
3000,b
CSV
)
	run pfilter '{elevation ft} > 100' "$G"
	assert_output 'elevation ft,x
3000,b'
}

@test "kept records round-trip byte for byte: quotes, embedded newlines" {
	G=$(mkinput g.csv < <(printf 'a,b\n"x\ny",1\n"q""q",2\n" lead",3\n'))
	same_for_all_jobs pfilter 'b >= 1' "$G"
	assert_output "$(cat "$G")"
}

@test "CRLF line ends, BOM and a missing final newline are accepted" {
	G=$(mkinput g.csv < <(printf '\xef\xbb\xbfa,b\r\n1,x\r\n2,y'))
	same_for_all_jobs pfilter 'a >= 1' "$G"
	assert_output 'a,b
1,x
2,y'
}

@test "empty lines are skipped; an empty field is the empty string" {
	G=$(mkinput g.csv < <(printf 'a,b\n\n1,\n\n,2\n'))
	same_for_all_jobs pfilter 'isempty(b) || a == ""' "$G"
	assert_output 'a,b
1,
,2'
}

@test "-H: no header, fields by position, no header written" {
	G=$(mkinput g.csv < <(printf '1,x\n2,y\n'))
	same_for_all_jobs pfilter -H '$1 > 1' "$G"
	assert_output '2,y'
}

@test "--tsv input, and conversion with --ocsv and --ojsonl" {
	G=$(mkinput g.tsv < <(printf 'a\tb\n1\thas, comma\n2\tz\n'))
	run pfilter --tsv 'a == 1' "$G"
	assert_output "$(printf 'a\tb\n1\thas, comma')"
	run pfilter --tsv --ocsv 'a == 1' "$G"
	assert_output 'a,b
1,"has, comma"'
	run pfilter --tsv --ojsonl 'a >= 1' "$G"
	assert_output '{"a":1,"b":"has, comma"}
{"a":2,"b":"z"}'
}

@test "--otsv escapes tabs and newlines" {
	G=$(mkinput g.csv < <(printf 'a,b\n"x\ty","l1\nl2"\n'))
	run pfilter --otsv 'a != ""' "$G"
	assert_output "$(printf 'a\tb\nx\\ty\tl1\\nl2')"
}

@test "records wider than the header keep all their fields; JSON keys are positions" {
	G=$(mkinput g.csv < <(printf '1\n2,b\n3,c,extra\n'))
	same_for_all_jobs pfilter -H --ojsonl true "$G"
	assert_success
	assert_output '{"1":1}
{"1":2,"2":"b"}
{"1":3,"2":"c","3":"extra"}'
	same_for_all_jobs pfilter --lines -d , --otsv true "$G"
	assert_output "$(printf '1\n2\tb\n3\tc\textra')"
	T=$(mkinput g.tsv < <(printf '1\n2\tb\textra\n'))
	same_for_all_jobs pfilter --tsv -H --ojsonl true "$T"
	assert_output '{"1":1}
{"1":2,"2":"b","3":"extra"}'
}

@test "--tsv decodes \\t \\n \\r \\\\ and keeps other backslashes; --otsv writes them back" {
	T=$(mkinput g.tsv < <(printf 'a\tb\nx\\ty\\\\z\tl1\\nl2\\r \\q\n'))
	same_for_all_jobs pfilter --tsv --ojsonl true "$T"
	assert_output '{"a":"x\ty\\z","b":"l1\nl2\r \\q"}'
	run pfilter --tsv --ocsv true "$T"
	assert_output "$(printf 'a,b\nx\ty\\z,"l1\nl2\r \\q"')"
	# Round trip through CSV and back, and between pflow tools.
	run bash -c 'pfilter --tsv --ocsv true "$1" | pfilter --otsv true' _ "$T"
	assert_output "$(printf 'a\tb\nx\\ty\\\\z\tl1\\nl2\\r \\\\q')"
	run bash -c 'pmap --tsv "*" "$1" | pfilter --tsv --ojsonl true' _ "$T"
	assert_output '{"a":"x\ty\\z","b":"l1\nl2\r \\q"}'
}

@test "--ojsonl is valid JSON: control bytes escaped, invalid UTF-8 replaced" {
	G=$(mkinput g.csv < <(printf 'a,b\n"\x01\x1f\x7f\xff\xc0\xaf",\xed\xa0\x80\xf0\x9f\x98\x80\xe2\x82\n'))
	same_for_all_jobs pfilter --ojsonl true "$G"
	assert_success
	# The oracle: Python's decode(errors="replace") and json.
	run python3 -c '
import csv, json, sys
want = [dict(zip(*[[f.encode("latin-1").decode("utf-8", "replace")
    for f in r] for r in list(csv.reader(open(sys.argv[1],
    encoding="latin-1", newline="")))[:2]]))]
got = [json.loads(l) for l in sys.stdin]
print(got == want, got)' "$G" <<<"$output"
	assert_output --partial 'True'
}

@test "truth: empty, false and zero in any spelling are false" {
	G=$(mkinput g.txt < <(printf '0\n0.0\n-0\n00\n0e5\n.0\n+0\n\nfalse\n1\n0.01\n 0\nabc\n0x0\nFalse\n-\n'))
	same_for_all_jobs pfilter --lines '$0' "$G"
	assert_output '1
0.01
 0
abc
0x0
False
-'
	run pfilter --lines -c '!$0' "$G"
	assert_output '9'
	run pfilter --lines -c '$0 ? 1 : 0' "$G"
	assert_output '7'
}

@test "--lines with -d splits on the delimiter; \$0 is the line" {
	G=$(mkinput g.txt < <(printf 'root:x:0\nbin:x:1\n\ndaemon:x:2\n'))
	same_for_all_jobs pfilter --lines -d : '$3 >= 1' "$G"
	assert_output 'bin:x:1
daemon:x:2'
	run pfilter --lines '$0 =~ /^b/' "$G"
	assert_output 'bin:x:1'
	run pfilter --lines -c 'len($0) == 0' "$G"
	assert_output '1'
}

@test "-d sets the CSV delimiter" {
	G=$(mkinput g.csv < <(printf 'a;b\n1;"x;y"\n2;z\n'))
	run pfilter -d ';' 'a == 1' "$G"
	assert_output 'a;b
1;"x;y"'
}

@test "several files are one stream; identical headers are dropped" {
	G=$(mkinput g.csv < <(printf 'id,name,delay\n9,zeta,99\n'))
	same_for_all_jobs pfilter 'delay > 60' "$F" "$G"
	assert_output 'id,name,delay
2,"beta, the second",70
4,"say ""hi""",61
9,zeta,99'
	run pfilter 'delay > 60' - "$G" < "$F"
	assert_line --index 3 '9,zeta,99'
}

@test "a different header in a later file is an error naming both files" {
	G=$(mkinput g.csv < <(printf 'id,other\n9,x\n'))
	run --separate-stderr pfilter 'id > 0' "$F" "$G"
	assert_failure 1
	assert_equal "$stderr" "pfilter: header of $G differs from header of $F"
}

@test "unterminated quote: file, line and record named, status 1" {
	G=$(mkinput g.csv < <(printf 'a,b\n1,x\n2,"open\n3,y\n'))
	run --separate-stderr pfilter 'a > 0' "$G"
	assert_failure 1
	assert_output 'a,b
1,x'
	assert_equal "$stderr" "pfilter: $G:3 (record 2): unterminated quoted field"
}

@test "a ragged row is an error unless --bad" {
	G=$(mkinput g.csv < <(printf 'a,b\n1,x\n2\n3,y,z\n4,w\n'))
	run --separate-stderr pfilter 'a > 0' "$G"
	assert_failure 1
	assert_equal "$stderr" "pfilter: $G:3 (record 2): too few fields"
	same_for_all_jobs pfilter --bad "$BATS_TEST_TMPDIR/bad.txt" 'a > 0' "$G"
	assert_success
	assert_output 'a,b
1,x
4,w'
	assert_equal "$(cat "$BATS_TEST_TMPDIR/bad.txt")" '2
3,y,z'
	run --separate-stderr pfilter --bad "$BATS_TEST_TMPDIR/bad.txt" 'a > 0' "$G"
	assert_equal "$stderr" "pfilter: 2 malformed records written to $BATS_TEST_TMPDIR/bad.txt"
}

@test "a quote inside an unquoted field is data" {
	G=$(mkinput g.csv < <(printf 'a,b\n1,x"y"z\n2,w\n'))
	run --separate-stderr pfilter 'b =~ /"/' "$G"
	assert_success
	assert_output 'a,b
1,x"y"z'
	assert_equal "$stderr" ""
}

@test "syntax error: status 2 and a caret under the position" {
	run --separate-stderr pfilter 'delay > > 3' "$F"
	assert_failure 2
	assert_output ''
	assert_equal "${stderr_lines[1]}" "  delay > > 3"
	assert_equal "${stderr_lines[2]}" "          ^"
}

@test "unknown field: status 2, lists the fields" {
	run --separate-stderr pfilter 'nope > 1' "$F"
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "pfilter: unknown field 'nope' (fields: id, name, delay)"
}

@test "empty input writes nothing; header only writes the header" {
	E=$(mkinput e.csv </dev/null)
	run pfilter 'a > 1' "$E"
	assert_success
	assert_output ''
	H=$(mkinput h.csv < <(printf 'a,b\n'))
	run pfilter 'a > 1' "$H"
	assert_success
	assert_output 'a,b'
	run pfilter -c 'a > 1' "$E"
	assert_output '0'
}

@test "a closed stdout ends quietly with status 0" {
	run --separate-stderr bash -c 'seq 1 2000000 | pfilter --lines "\$0 > 0" | head -1'
	assert_success
	assert_output '1'
	assert_equal "$stderr" ''
}

@test "a write error is status 1 with a message" {
	run --separate-stderr pfilter 'id > 0' "$F" -o /dev/null
	assert_failure 2
	run --separate-stderr bash -c "pfilter 'id > 0' '$F' > /dev/full"
	assert_failure 1
	assert_equal "$stderr" 'pfilter: write error: No space left on device'
}

@test "a missing input file is status 1" {
	run --separate-stderr pfilter 'a > 0' "$BATS_TEST_TMPDIR/none.csv"
	assert_failure 1
	assert_equal "$stderr" "pfilter: $BATS_TEST_TMPDIR/none.csv: No such file or directory"
}

@test "bad option values are usage errors (status 2)" {
	run pfilter -j 0 'a > 1' "$F"
	assert_failure 2
	run pfilter --chunk 12Q 'a > 1' "$F"
	assert_failure 2
	run pfilter --flush soon 'a > 1' "$F"
	assert_failure 2
	run pfilter
	assert_failure 2
	run pfilter -d ab 'a' "$F"
	assert_failure 2
	run --separate-stderr pfilter --queue 0 'a > 1' "$F"
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "pfilter: --queue must be a number from 1 to 1024: '0'"
	run --separate-stderr pfilter --progress=sometimes 'a > 1' "$F"
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "pfilter: bad --progress 'sometimes' (auto, always, never)"
}

@test "--help and --version" {
	run pfilter --help
	assert_success
	assert_line --index 0 'usage: pfilter [-vc] [OPTIONS] EXPR [FILE...]'
	run pfilter --version
	assert_success
	assert_output --regexp '^pfilter \(pflow\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "--stats reports records in and out on stderr" {
	run --separate-stderr pfilter --stats 'delay > 60' "$F"
	assert_success
	assert_equal "${#stderr_lines[@]}" 2
	[[ "${stderr_lines[0]}" == "pfilter: 4 records in, 2 records out, 0 bad, 75 bytes, "*"s elapsed" ]]
	[[ "${stderr_lines[1]}" == "pfilter: reader "*"workers (2)"* ]] || [[ "${stderr_lines[1]}" == "pfilter: reader "*"workers ("* ]]
}

@test "--progress=always draws on stderr and clears the line" {
	run --separate-stderr pfilter --progress=always 'delay > 60' "$F"
	assert_success
	[[ "$stderr" == *$'\r\033[K' ]]
}

@test "slow input is not held back: output appears before EOF (--flush)" {
	# The generator waits for the first record to come out before EOF.
	out=$BATS_TEST_TMPDIR/out
	( printf 'a\n1\n'; for _ in $(seq 50); do [ -s "$out" ] && break; sleep 0.1; done
	  printf '2\n' ) | pfilter --flush 20ms 'a > 0' > "$out"
	assert_equal "$(cat "$out")" 'a
1
2'
}

@test "data: open airports on the sample data" {
	run pfilter -c 'type != "closed"' "$DATA/airports.csv"
	assert_output "$(awk -F, 'NR > 1 && $3 != "closed"' "$DATA/airports.csv" | wc -l)"
}

@test "agrees with awk on the sample flights" {
	same_for_all_jobs pfilter 'delay > 30 && origin == "ATL"' "$DATA/flights.csv"
	assert_output "$(awk -F, 'NR == 1 || ($2 != "" && $2 > 30 && $4 == "ATL")' "$DATA/flights.csv")"
}

@test "agrees with Miller on the OurAirports runways (quoted CSV)" {
	need_shared
	command -v mlr >/dev/null || skip "mlr not installed"
	R=$SHARED/ourairports-runways.csv
	same_for_all_jobs pfilter 'surface == "ASP" && length_ft > 8000' "$R"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | mlr --csv cat)" \
	    "$(mlr --csv filter '$surface == "ASP" && $length_ft > 8000' "$R")"
}

@test "nr(): the record's number in the whole input, across files, for every -j" {
	F=$DATA/flights.csv
	same_for_all_jobs pfilter 'nr() % 397 == 1' "$F" "$F"
	assert_success
	assert_output "$( { cat "$F"; tail -n +2 "$F"; } | awk 'NR == 1 || (NR - 1) % 397 == 1')"
	same_for_all_jobs pmap 'n = nr(), origin' "$F" "$F"
	assert_output "$( { echo n,origin; { tail -n +2 "$F"; tail -n +2 "$F"; } | awk -F, '{print NR "," $4}'; } )"
	# malformed records set aside still count, as in awk's NR
	in=$(mkinput bad.csv < <(printf 'a,b\n1,2\n3\n4,5\n"6,7\n'))
	run --separate-stderr pfilter --bad "$BATS_TEST_TMPDIR/b.txt" 'nr() >= 3' "$in"
	assert_output 'a,b
4,5'
	# in keys too: preduce, ptakesort, ppartition
	run preduce -k 'half = nr() > 1000' count "$F"
	assert_output 'half,count
false,1000
true,1000'
	same_for_all_jobs ptakesort -n 2 -k 'nr():num:desc' "$F"
	assert_output "$(head -1 "$F"; tail -1 "$F"; tail -2 "$F" | head -1)"
	run ppartition --by-value -k 'nr() % 2' -o "$BATS_TEST_TMPDIR/nr{}.csv" "$F"
	assert_success
	run bash -c "tail -n +2 '$BATS_TEST_TMPDIR/nr0.csv' | wc -l"
	assert_output 1000
}

@test "a constant EXPR is not evaluated per record: -c true counts every record, -v inverts, malformed ones still stop" {
	cd "$BATS_TEST_TMPDIR"
	local n
	n=$(($(python3 -c 'import csv, sys; print(sum(1 for _ in csv.reader(open(sys.argv[1]))))' "$DATA/flights.csv") - 1))
	run -0 pfilter -c true "$DATA/flights.csv"
	assert_output "$n"
	run -0 pfilter -j4 --chunk 100 -c '"x"' "$DATA/flights.csv"
	assert_output "$n"
	run -0 pfilter -c 0 "$DATA/flights.csv"
	assert_output 0
	run -0 pfilter -v -c false "$DATA/flights.csv"
	assert_output "$n"
	run -0 pfilter -v true "$DATA/flights.csv"
	assert_output "$(head -1 "$DATA/flights.csv")"
	printf 'a,b\n1,2\n3\n4,5\n' >ragged.csv
	run -1 --separate-stderr pfilter -c true ragged.csv
	assert_equal "$stderr" 'pfilter: ragged.csv:3 (record 2): too few fields'
}

@test "vectors of records: quoted, ragged and noted records among them, for every -j (vector_oracle.py)" {
	cd "$BATS_TEST_TMPDIR"
	python3 "$PFLOW_SOURCE/tests/vector_oracle.py" make v.csv
	same_for_all_jobs pfilter --bad bad.txt 'a > 50 && b <= 30 || c == "x"' v.csv
	assert_success
	assert_output "$(python3 "$PFLOW_SOURCE/tests/vector_oracle.py" expect v.csv keep)"
	assert_equal "$(cat bad.txt)" "$(python3 "$PFLOW_SOURCE/tests/vector_oracle.py" expect v.csv bad)"
	# A value to note gives a vector up: notes in input order, exact.
	same_for_all_jobs pfilter --bad bad.txt -v 'a + 0 > 50' v.csv
	assert_success
	assert_equal "${stderr%%$'\n'*}" "$(python3 "$PFLOW_SOURCE/tests/vector_oracle.py" expect v.csv notes)"
	# A record that fails stops the run there, the kept ones before it
	# written, for every -j.
	same_for_all_jobs pfilter --strict --bad bad.txt 'a + 0 > 50' v.csv
	assert_failure 1
	assert_equal "${stderr%%$'\n'*}" "$(python3 "$PFLOW_SOURCE/tests/vector_oracle.py" expect v.csv strict-err)"
	assert_output "$(python3 "$PFLOW_SOURCE/tests/vector_oracle.py" expect v.csv strict-out)"
}
