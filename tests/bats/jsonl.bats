#!/usr/bin/env bats
# JSON Lines input (--jsonl, --ijsonl, .jsonl, .ndjson): against Python's
# json module on random objects (tests/jsonl_oracle.py: escapes,
# surrogate pairs and lone surrogates, huge numbers, deep nesting, blanks,
# missing keys, keys in any order), every tool against its answer on the
# same records as CSV, and malformed lines (a key the first object did
# not have, a key twice, no object) as status 1 or --bad, named.

load helper

ORACLE=$PFLOW_SOURCE/tests/jsonl_oracle.py

# The records of tests/data/flights.csv as JSON Lines, numbers as numbers.
setup_file() {
	python3 - "$DATA/flights.csv" "$BATS_FILE_TMPDIR/flights.jsonl" <<'PY'
import csv, json, sys
with open(sys.argv[2], "w") as out:
    for r in csv.DictReader(open(sys.argv[1])):
        for k in ("delay", "distance"):
            r[k] = int(r[k]) if r[k] != "" else None
        out.write(json.dumps(r) + "\n")
PY
}

@test "random objects read as Python's json reads them (3 seeds, -j1 and -j4)" {
	local d=$BATS_TEST_TMPDIR seed
	for seed in 1 2 3; do
		python3 "$ORACLE" gen "$d" "$seed" 250
		pmap --jsonl --ocsv -j1 '*' "$d/in.jsonl" >"$d/out1.csv"
		python3 "$ORACLE" check-csv "$d" "$d/out1.csv"
		pmap --ijsonl --ocsv -j4 --chunk 100 '*' <"$d/in.jsonl" >"$d/out4.csv"
		cmp "$d/out1.csv" "$d/out4.csv"
	done
}

@test "written back as JSON Lines, every value keeps its JSON type, in every tool that rewrites records" {
	local d=$BATS_TEST_TMPDIR seed t
	for seed in 4 5; do
		python3 "$ORACLE" gen "$d" "$seed" 200
		pmap --ojsonl -j1 '*' "$d/in.jsonl" >"$d/pmap.jsonl"
		python3 "$ORACLE" check "$d" "$d/pmap.jsonl"
		pmap --ojsonl -j4 --chunk 100 '*' "$d/in.jsonl" | cmp - "$d/pmap.jsonl"
		pscan -j4 --chunk 100 rank "$d/in.jsonl" >"$d/pscan.jsonl"
		python3 "$ORACLE" check "$d" "$d/pscan.jsonl"
		# pjoin, --left: every record kept, TABLE's column after them.
		printf 'id,extra\n' >"$d/table.csv"
		pjoin --left -k id "$d/table.csv" "$d/in.jsonl" >"$d/pjoin.jsonl"
		python3 "$ORACLE" check "$d" "$d/pjoin.jsonl"
		for t in "pflow head -n 1000" "pflow tail -n 1000"; do
			# shellcheck disable=SC2086
			$t "$d/in.jsonl" >"$d/peek.jsonl"
			python3 "$ORACLE" check "$d" "$d/peek.jsonl"
		done
	done
}

@test "JSON types by example: a string that looks like a number stays a string; null, missing, containers kept" {
	cd "$BATS_TEST_TMPDIR"
	printf '%s\n' '{"s":"42","n":42,"b":true,"z":null,"a":[1,"2",{"x":false}],"o":{"k":"v"}}' '{"s":"x"}' >t.jsonl
	run -0 pmap 's, n, b, z, a, o, t = s . "!", m = n + 1' t.jsonl
	assert_output '{"s":"42","n":42,"b":true,"z":null,"a":[1,"2",{"x":false}],"o":{"k":"v"},"t":"42!","m":43}
{"s":"x","n":null,"b":null,"z":null,"a":null,"o":null,"t":"x!","m":""}'
	run -0 pmap --explode a t.jsonl
	assert_output '{"s":"42","n":42,"b":true,"z":null,"a":1,"o":{"k":"v"}}
{"s":"42","n":42,"b":true,"z":null,"a":"2","o":{"k":"v"}}
{"s":"42","n":42,"b":true,"z":null,"a":{"x":false},"o":{"k":"v"}}
{"s":"x","n":null,"b":null,"z":null,"a":null,"o":null}'
	run -0 pmap --melt s,b t.jsonl
	assert_output '{"n":42,"z":null,"a":[1,"2",{"x":false}],"o":{"k":"v"},"name":"s","value":"42"}
{"n":42,"z":null,"a":[1,"2",{"x":false}],"o":{"k":"v"},"name":"b","value":true}
{"n":null,"z":null,"a":null,"o":null,"name":"s","value":"x"}
{"n":null,"z":null,"a":null,"o":null,"name":"b","value":null}'
	# A string field split at --sep: its parts are strings.
	printf '%s\n' '{"id":1,"tags":"7,8"}' >s.jsonl
	run -0 pmap --explode tags --sep , s.jsonl
	assert_output '{"id":1,"tags":"7"}
{"id":1,"tags":"8"}'
	# From CSV the rule is the text's: wholly a number, a number.
	run -0 pmap --ojsonl 's, n' <<<$'s,n\n"42",x'
	assert_output '{"s":42,"n":"x"}'
	# pjoin: the stream's types kept, TABLE's columns by their text,
	# null where --left found no match.
	printf 'n,name\n42,answer\n' >tab.csv
	run -0 pjoin --left -k n tab.csv t.jsonl
	assert_output '{"s":"42","n":42,"b":true,"z":null,"a":[1,"2",{"x":false}],"o":{"k":"v"},"name":"answer"}
{"s":"x","n":null,"b":null,"z":null,"a":null,"o":null,"name":null}'
}

@test "every tool reads JSON Lines as the same records in CSV" {
	local j=$BATS_FILE_TMPDIR/flights.jsonl c=$DATA/flights.csv
	run -0 preduce -k origin count mean:delay max:distance --ocsv "$j"
	assert_output "$(preduce -k origin count mean:delay max:distance "$c")"
	run -0 ptakesort -n 5 -k delay:desc,date --ocsv "$j"
	assert_output "$(ptakesort -n 5 -k delay:desc,date "$c")"
	run -0 pfilter -c 'delay > 60 && origin == "ATL"' "$j"
	assert_output "$(pfilter -c 'delay > 60 && origin == "ATL"' "$c")"
	run -0 pmap --ocsv 'origin, d2 = delay * 2' "$j"
	assert_output "$(pmap 'origin, d2 = delay * 2' "$c")"
	run -0 pjoin --ocsv -k origin=ident --table-csv "$DATA/airports.csv" "$j"
	assert_output "$(pjoin -k origin=ident "$DATA/airports.csv" "$c")"
	ppartition -n 3 -k origin --ocsv -o "$BATS_TEST_TMPDIR/pj/{}.csv" "$j"
	ppartition -n 3 -k origin -o "$BATS_TEST_TMPDIR/pc/{}.csv" "$c"
	diff -r "$BATS_TEST_TMPDIR/pj" "$BATS_TEST_TMPDIR/pc"
	for t in "pfilter delay>30" "pmap *" "preduce -k destination count" "ptakesort -k distance"; do
		# shellcheck disable=SC2086
		same_for_all_jobs $t "$j"
	done
}

@test "pfilter and ptakesort pass JSON Lines records through as written" {
	local d=$BATS_TEST_TMPDIR
	printf '%s\n' '{"a": 1, "s":"42", "x":[1, {"y" : null}]}' '{"s":"\u00e9", "a":2.50}' >"$d/t.jsonl"
	run -0 pfilter 'a > 0' "$d/t.jsonl"
	assert_output "$(cat "$d/t.jsonl")"
	run -0 ptakesort -k a:desc "$d/t.jsonl"
	assert_output '{"s":"\u00e9", "a":2.50}
{"a": 1, "s":"42", "x":[1, {"y" : null}]}'
}

@test "values: strings unescaped, numbers as written, literals, null and missing empty, containers compact" {
	local d=$BATS_TEST_TMPDIR
	printf '%s\n' '{"s":"a\"b\\c\/d\u00e9\ud83d\ude00","n":-1.50e+3,"t":true,"f":false,"z":null,"c":[1, {"k" : [ ] }, "x y"]}' \
	    '{"s":"lone \udc00 \ud800x","n":123456789012345678901234567890}' \
	    '{"c":{}}' >"$d/v.jsonl"
	run -0 pmap --ocsv '*' "$d/v.jsonl"
	assert_output 's,n,t,f,z,c
"a""b\c/dé😀",-1.50e+3,true,false,,"[1,{""k"":[]},""x y""]"
lone � �x,123456789012345678901234567890,,,,
,,,,,{}'
	# Numbers compute as numbers; true is true, false is not.
	run -0 pmap --ocsv 'n + 1, t && 1, f || 0' "$d/v.jsonl"
	assert_line -n 1 '-1499,true,false'
}

@test "bytes that are not UTF-8 in a string pass through to CSV" {
	printf '{"a":"x\377y"}\n' >"$BATS_TEST_TMPDIR/u.jsonl"
	run -0 bash -c 'pmap --ocsv a "$1" | od -An -c | tr -s " "' _ "$BATS_TEST_TMPDIR/u.jsonl"
	assert_output ' a \n x 377 y \n'
}

@test "a key the first object lacks, a key twice, no object: status 1 named, or --bad" {
	local d=$BATS_TEST_TMPDIR
	printf '%s\n' '{"a":1,"b":2}' '{"a":3}' '{"a":4,"c":5}' '{"b":6,"b":7}' '[1]' '{"a":8' '{"a":9}' >"$d/bad.jsonl"
	run -1 --separate-stderr pfilter true "$d/bad.jsonl"
	assert_output '{"a":1,"b":2}
{"a":3}'
	assert_equal "$stderr" "pfilter: $d/bad.jsonl:3 (record 3): key \"c\" is not a key of the first object (its keys are the fields)"
	run -0 --separate-stderr pmap --ocsv -j4 --chunk 8 --bad "$d/rejects" '*' "$d/bad.jsonl"
	assert_output 'a,b
1,2
3,
9,'
	assert_equal "$stderr" "pmap: 4 malformed records written to $d/rejects"
	run cat "$d/rejects"
	assert_output '{"a":4,"c":5}
{"b":6,"b":7}
[1]
{"a":8'
	printf '{"a":1}\n{"a":2,"a":3}\n' >"$d/dup.jsonl"
	run -1 --separate-stderr preduce count "$d/dup.jsonl"
	assert_equal "$stderr" "preduce: $d/dup.jsonl:2 (record 2): key \"a\" twice in one object"
	printf '{"a":1}\n[2]\n' >"$d/arr.jsonl"
	run -1 --separate-stderr preduce count "$d/arr.jsonl"
	assert_equal "$stderr" "preduce: $d/arr.jsonl:2 (record 2): malformed JSON: a line is not an object (at byte 1)"
	printf '{"a":1}\n{"a":01}\n' >"$d/num.jsonl"
	run -1 --separate-stderr preduce count "$d/num.jsonl"
	assert_equal "$stderr" "preduce: $d/num.jsonl:2 (record 2): malformed JSON: expected a value (at byte 6)"
	# The first object decides: a bad one stops before any record.
	printf '\n{"a":1,"a":2}\n' >"$d/first.jsonl"
	run -1 --separate-stderr pmap '*' "$d/first.jsonl"
	assert_equal "$stderr" "pmap: $d/first.jsonl:2 (record 1): key \"a\" twice in one object"
	printf 'a,b\n' >"$d/csv.jsonl"
	run -1 --separate-stderr pmap '*' "$d/csv.jsonl"
	assert_equal "$stderr" "pmap: $d/csv.jsonl:1 (record 1): malformed JSON: a line is not an object (at byte 1)"
}

@test ".jsonl and .ndjson by name, compressed too; --csv overrides; names checked" {
	local d=$BATS_TEST_TMPDIR j=$BATS_FILE_TMPDIR/flights.jsonl want
	want=$(preduce -k origin count --ocsv "$j")
	cp "$j" "$d/f.ndjson"
	gzip -c "$j" >"$d/f.jsonl.gz"
	zstd -q -c "$j" >"$d/f.NDJSON.zst"
	for f in "$d/f.ndjson" "$d/f.jsonl.gz" "$d/f.NDJSON.zst"; do
		run -0 preduce -k origin count --ocsv "$f"
		assert_output "$want"
	done
	run -0 preduce --csv count "$d/f.ndjson"
	assert_output "count
1999"
	run -2 --separate-stderr preduce -k nosuch count "$j"
	assert_equal "$(head -1 <<<"$stderr")" "preduce: unknown field 'nosuch' (fields: date, delay, distance, origin, destination)"
	# Empty input: names cannot be checked, syntax can.
	run -0 pmap --jsonl 'nosuch' </dev/null
	run -2 pmap --jsonl 'a +' </dev/null
	run -2 --separate-stderr pmap --jsonl -H --names a,b '*' </dev/null
	assert_equal "$(head -1 <<<"$stderr")" "pmap: --names: JSON Lines input is named by its keys"
}

@test "round trips: CSV -> JSON Lines -> CSV, and JSON Lines -> CSV -> JSON Lines" {
	local d=$BATS_TEST_TMPDIR
	pmap --ojsonl '*' "$DATA/airports.csv" >"$d/a.jsonl"
	pmap --ocsv '*' "$d/a.jsonl" >"$d/a.csv"
	cmp "$DATA/airports.csv" "$d/a.csv"
	pmap --ojsonl '*' "$d/a.csv" | cmp - "$d/a.jsonl"
}

@test "every tool reads a .jsonl file (and .jsonl.gz) by its name, reshaping and pscan too" {
	cd "$BATS_TEST_TMPDIR"
	printf '{"k":"a","v":1}\n{"k":"a","v":2}\n{"k":"b","v":5}\n' >s.jsonl
	gzip -c s.jsonl >s.jsonl.gz
	local f
	for f in s.jsonl s.jsonl.gz; do
		run -0 pscan -k k sum:v "$f"
		assert_output '{"k":"a","v":1,"v_sum":1}
{"k":"a","v":2,"v_sum":3}
{"k":"b","v":5,"v_sum":5}'
		run -0 pmap --melt k "$f"
		assert_output '{"v":1,"name":"k","value":"a"}
{"v":2,"name":"k","value":"a"}
{"v":5,"name":"k","value":"b"}'
		run -0 pmap --explode k --ocsv "$f"
		assert_output 'k,v
a,1
a,2
b,5'
		run -0 preduce -k k sum:v "$f"
		assert_output '{"k":"a","v_sum":3}
{"k":"b","v_sum":5}'
		run -0 ptakesort -k v:desc "$f"
		assert_output '{"k":"b","v":5}
{"k":"a","v":2}
{"k":"a","v":1}'
		run -0 pfilter 'v > 1' "$f"
		assert_output '{"k":"a","v":2}
{"k":"b","v":5}'
	done
}
