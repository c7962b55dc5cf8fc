#!/usr/bin/env bats
# pjoin: a hash join with a table held in memory, against a Python oracle
# (inner, left, anti, semi; duplicate, empty, quoted and multi-line keys;
# STREAMKEY=TABLEKEY, --ignore-case) and at every -j, and against DuckDB's
# SQL joins on random inputs (tests/join_duckdb.py); --bad for TABLE.

load helper

setup_file() {
	python3 - "$BATS_FILE_TMPDIR" <<'PY'
import csv, random, sys
d = sys.argv[1]
r = random.Random(5)
keys = ["a", "b", "B", "", "x,y", 'q"uote', "multi\nline", "c", "d"]
with open(d + "/table.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["code", "name", "v"])
    for i in range(40):
        w.writerow([r.choice(keys[:-1]), "n%d" % i, i])
with open(d + "/stream.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["id", "k", "v"])
    for i in range(3000):
        w.writerow([i, r.choice(keys), r.randint(0, 9)])
PY
}

T=$BATS_FILE_TMPDIR/table.csv
S=$BATS_FILE_TMPDIR/stream.csv

# oracle KIND [fold]: the join of S (key k) with T (key code) in Python.
oracle() {
	python3 - "$S" "$T" "$1" "${2:-}" <<'PY'
import csv, io, sys
s, t, kind, fold = sys.argv[1:5]
srows = list(csv.reader(open(s, newline="")))
trows = list(csv.reader(open(t, newline="")))
norm = (lambda x: x.lower()) if fold else (lambda x: x)
index = {}
for row in trows[1:]:
    index.setdefault(norm(row[0]), []).append(row)
out = io.StringIO()
w = csv.writer(out, lineterminator="\n")
head = srows[0]
if kind in ("inner", "left"):
    head = head + ["name", "table_v"]
w.writerow(head)
for row in srows[1:]:
    m = index.get(norm(row[1]), [])
    if kind == "inner":
        for t in m: w.writerow(row + t[1:])
    elif kind == "left":
        for t in m or [["", "", ""]]: w.writerow(row + t[1:])
    elif kind == "anti" and not m: w.writerow(row)
    elif kind == "semi" and m: w.writerow(row)
print(out.getvalue(), end="")
PY
}

@test "inner, left, anti and semi joins equal the oracle, at every -j" {
	for kind in inner left anti semi; do
		opt=; [ $kind = inner ] || opt=--$kind
		same_for_all_jobs pjoin $opt -k k=code "$T" "$S"
		assert_success
		assert_output "$(oracle $kind)"
	done
}

@test "--ignore-case folds ASCII case on both sides" {
	same_for_all_jobs pjoin --ignore-case -k k=code "$T" "$S"
	assert_success
	assert_output "$(oracle inner fold)"
}

@test "a key of the same name, several keys, formats and stdin" {
	in=$(mkinput s2.csv < <(printf 'code,v\nb,1\na,2\nz,3\n'))
	tb=$(mkinput t2.csv < <(printf 'code,v,w\na,10,x\nb,20,y\nb,21,z\n'))
	run pjoin -k code "$tb" "$in"
	assert_success
	assert_output 'code,v,t2_v,w
b,1,20,y
b,1,21,z
a,2,10,x'
	run pjoin -k code,v=w "$tb" < <(printf 'code,v\nb,z\nb,y\n')
	assert_output 'code,v,t2_v
b,z,21
b,y,20'
	run pjoin --ojsonl --semi -k code "$tb" "$in"
	assert_output '{"code":"b","v":1}
{"code":"a","v":2}'
	tsv=$(mkinput t3.tsv < <(printf 'code\tname\nz\tzed\n'))
	run pjoin --table-tsv --left -k code "$tsv" "$in"
	assert_output 'code,v,name
b,1,
a,2,
z,3,zed'
	# a TSV stream with a CSV table
	run pjoin --tsv --table-csv -k code "$tb" < <(printf 'code\tv\na\t1\n')
	assert_output "$(printf 'code\tv\tt2_v\tw\na\t1\t10\tx')"
}

@test "usage errors: a key missing from a side lists both; TABLE past --memory" {
	run --separate-stderr pjoin -k nope "$T" "$S"
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "pjoin: unknown field 'nope' (fields: id, k, v)"
	assert_equal "${stderr_lines[-1]}" "pjoin: fields of the stream: id, k, v; of $T: code, name, v"
	run --separate-stderr pjoin -k k "$T" "$S"
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "pjoin: unknown field 'k' (fields: code, name, v)"
	run --separate-stderr pjoin --memory 100 -k k=code "$T" "$S"
	assert_failure 2
	assert_equal "$stderr" "pjoin: $T does not fit in --memory (100 bytes): its bytes, its records and their index by key take more; raise --memory, or partition both sides with ppartition -k KEY -n N and join the parts pairwise (see pflow(7))"
	run --separate-stderr pjoin --left --anti -k k "$T" "$S"
	assert_failure 2
	bad=$(mkinput bad.csv < <(printf 'code,v\na,1\nb\n'))
	run --separate-stderr pjoin -k k=code "$bad" "$S"
	assert_failure 1
	assert_equal "${stderr_lines[0]}" "pjoin: $bad:3 (record 2): too few fields"
}

@test "malformed TABLE records: an error FILE:LINE, or with --bad set aside before the stream's, counted, status 0" {
	tb=$(mkinput tb.csv < <(printf 'code,v\na,1\nb\n"c"x,3\nd,4,5\nd,"4\n'))
	in=$(mkinput st.csv < <(printf 'k,w\na,1\nb,2\nd,3\n"z"q,4\n'))
	run --separate-stderr pjoin -k k=code "$tb" "$in"
	assert_failure 1
	assert_output ''
	assert_equal "$stderr" "pjoin: $tb:3 (record 2): too few fields"
	for j in 1 4; do
		rm -f "$BATS_TEST_TMPDIR/bad.txt"
		run --separate-stderr pjoin -j$j --bad "$BATS_TEST_TMPDIR/bad.txt" -k k=code "$tb" "$in"
		assert_success
		assert_output 'k,w,v
a,1,1'
		assert_equal "$stderr" "pjoin: 5 malformed records written to $BATS_TEST_TMPDIR/bad.txt"
		assert_equal "$(cat "$BATS_TEST_TMPDIR/bad.txt")" 'b
"c"x,3
d,4,5
d,"4
"z"q,4'
	done
	# each malformed kind alone, without --bad: FILE:LINE (record N): why
	t1=$BATS_TEST_TMPDIR/t1.csv
	printf 'code,v\n"a"x,1\n' >"$t1"
	run --separate-stderr pjoin -k k=code "$t1" "$in"
	assert_failure 1
	assert_equal "$stderr" "pjoin: $t1:2 (record 1): malformed quoting"
	printf 'code,v\nb,1,2\n' >"$t1"
	run --separate-stderr pjoin -k k=code "$t1" "$in"
	assert_failure 1
	assert_equal "$stderr" "pjoin: $t1:2 (record 1): too many fields"
	printf 'code,v\n\nc,1\n"d,2\n' >"$t1"
	run --separate-stderr pjoin -k k=code "$t1" "$in"
	assert_failure 1
	assert_equal "$stderr" "pjoin: $t1:4 (record 2): unterminated quoted field"
	# a malformed header is an error with --bad too, as the stream's
	hd=$(mkinput hd.csv < <(printf '"code"x,v\na,1\n'))
	run --separate-stderr pjoin --bad "$BATS_TEST_TMPDIR/bad2.txt" -k k=code "$hd" "$in"
	assert_failure 1
	assert_equal "$stderr" "pjoin: $hd:1 (header): malformed quoting"
}

@test "inner, left, anti and semi joins, one and two keys, equal DuckDB's SQL joins on random inputs" {
	local q=$DUCKDB_QUERY
	[ -n "$q" ] || skip "DuckDB is absent (scripts/install-duckdb.sh)"
	run python3 "$PFLOW_SOURCE/tests/join_duckdb.py" "$PFLOW_BUILD" "$BATS_TEST_TMPDIR" 4 "$q"
	assert_success
	assert_output "4 rounds agree with DuckDB"
}

# ---- TABLE is an input like the others; --memory counts all it costs ------

@test "TABLE is checked against every output: --bad, stdout (>, >>), nothing written" {
	cd "$BATS_TEST_TMPDIR"
	cp "$T" t.csv
	cp t.csv t.before
	run -2 --separate-stderr pjoin -k k=code --bad t.csv t.csv "$S"
	assert_output ''
	assert_equal "$stderr" 'pjoin: t.csv: input file is output file'
	cmp t.csv t.before
	run -2 --separate-stderr bash -c 'pjoin -k k=code t.csv "$1" >>t.csv' sh "$S"
	assert_equal "$stderr" 'pjoin: t.csv: input file is output file'
	cmp t.csv t.before
	ln t.csv hardlink.csv
	run -2 --separate-stderr bash -c 'pjoin -k k=code hardlink.csv "$1" 1<>t.csv' sh "$S"
	assert_equal "$stderr" 'pjoin: hardlink.csv: input file is output file'
	cmp t.csv t.before
	# TABLE on stdin, an output on the same file.
	run -2 --separate-stderr bash -c 'pjoin -k k=code --bad t.csv - "$1" <t.csv' sh "$S"
	assert_equal "$stderr" 'pjoin: stdin: input file is output file'
	cmp t.csv t.before
}

@test "- as TABLE is stdin, when the stream comes from files" {
	run -0 pjoin -k k=code "$T" "$S"
	# The prefix of a clashing name is stdin's.
	local expected=${output//table_v/stdin_v}
	run -0 bash -c 'pjoin -k k=code - "$1" <"$2"' sh "$S" "$T"
	assert_equal "$output" "$expected"
	run -0 bash -c 'cat "$2" | pjoin -k k=code -j3 - "$1"' sh "$S" "$T"
	assert_equal "$output" "$expected"
	# A malformed TABLE record on stdin is named as stdin's.
	run -1 --separate-stderr bash -c 'printf "code,v\na,1\nb\n" | pjoin -k k=code - "$1"' sh "$S"
	assert_equal "$stderr" 'pjoin: stdin:3 (record 2): too few fields'
	run -2 --separate-stderr pjoin -k k=code - <"$T"
	assert_equal "${stderr_lines[0]}" "pjoin: TABLE and the stream cannot both be stdin: name the stream's files"
	run -2 --separate-stderr pjoin -k k=code - "$S" - <"$T"
	assert_equal "${stderr_lines[0]}" "pjoin: TABLE and the stream cannot both be stdin: name the stream's files"
}

@test "--memory counts TABLE's records and index: a table of many short keys" {
	cd "$BATS_TEST_TMPDIR"
	# About 8 MB, 1M keys: held, it takes over 100 MB.
	awk 'BEGIN { print "k,v"; for (i = 0; i < 1000000; i++) print i ",x" }' >keys.csv
	awk 'BEGIN { print "k"; for (i = 0; i < 1000000; i += 250000) print i }' >few.csv
	run -2 --separate-stderr pjoin --memory 8M -k k keys.csv few.csv
	assert_output ''
	assert_equal "$stderr" "pjoin: keys.csv does not fit in --memory (8388608 bytes): its bytes, its records and their index by key take more; raise --memory, or partition both sides with ppartition -k KEY -n N and join the parts pairwise (see pflow(7))"
	run -0 pjoin -k k keys.csv few.csv
	assert_output 'k,v
0,x
250000,x
500000,x
750000,x'
}

@test "--memory: peak RSS stays under --memory + 64 MiB, whatever TABLE holds" {
	[ -x /usr/bin/time ] || skip "GNU time (package time) is not installed"
	[ -z "${PFLOW_VALGRIND:-}" ] || skip "RSS is valgrind's under valgrind"
	! ldd "$PFLOW_BUILD/pjoin" | grep -q 'lib[at]san' ||
	    skip "RSS is meaningless under a sanitizer"
	cd "$BATS_TEST_TMPDIR"
	awk 'BEGIN { print "k,v"; for (i = 0; i < 1000000; i++) print i ",x" }' >keys.csv
	awk 'BEGIN { print "k"; for (i = 0; i < 1000000; i += 1000) print i }' >few.csv
	local m
	for m in 8M 32M; do
		run --separate-stderr /usr/bin/time -f %M -o rss pjoin --memory $m -k k keys.csv few.csv
		[ "$status" = 0 ] || [ "$status" = 2 ]
		local limit=$(( ${m%M} * 1024 + 64 * 1024 )) rss
		rss=$(tail -n 1 rss)
		echo "--memory $m: status $status, peak RSS $rss KiB (limit $limit)"
		[ "$rss" -lt "$limit" ]
	done
	# And enough memory joins it.
	run -0 /usr/bin/time -f %M -o rss pjoin --memory 256M -k k keys.csv few.csv
	assert_equal "${#lines[@]}" 1001
}

@test "a compressed TABLE is read as the stream is; a truncated one is an error that says so" {
	cd "$BATS_TEST_TMPDIR"
	printf 'k,w\na,10\nb,"2\n0"\nc,30\n' >t.csv
	printf 'k,v\na,1\nb,2\nd,4\n' >s.csv
	gzip -c t.csv >t.csv.gz
	zstd -q -c t.csv >t.csv.zst
	bzip2 -c t.csv >t.csv.bz2
	xz -c t.csv >t.csv.xz
	local f
	for f in t.csv.gz t.csv.zst t.csv.bz2 t.csv.xz; do
		same_for_all_jobs pjoin --left -k k "$f" s.csv
		assert_success
		assert_output 'k,v,w
a,1,10
b,2,"2
0"
d,4,'
	done
	gzip -c t.csv | pjoin -k k - s.csv >out
	assert_equal "$(cat out)" 'k,v,w
a,1,10
b,2,"2
0"'
	head -c 20 t.csv.gz >cut.gz
	run --separate-stderr pjoin -k k cut.gz s.csv
	assert_failure 1
	assert_output ''
	assert_equal "$stderr" 'pjoin: cut.gz: truncated gzip data (it ends inside a member)'
}

@test "a JSON Lines stream joined with a CSV TABLE is JSON Lines, each object whole, its types kept" {
	cd "$BATS_TEST_TMPDIR"
	printf 'k,w\na,10\nb,x y\n' >t.csv
	printf '{"k":"a","v":1}\n{"k":"b","v":[1,2]}\n{"k":"c","v":null}\n' >s.jsonl
	same_for_all_jobs pjoin --left -k k t.csv s.jsonl
	assert_success
	assert_output '{"k":"a","v":1,"w":10}
{"k":"b","v":[1,2],"w":"x y"}
{"k":"c","v":null,"w":null}'
	python3 -c 'import json, sys
for l in sys.stdin: json.loads(l)' <<<"$output"
	run -0 pjoin -k k --ocsv t.csv s.jsonl
	assert_output 'k,v,w
a,1,10
b,"[1,2]",x y'
}

@test "a JSON Lines TABLE (by its name or --table-jsonl) joins as the same table in CSV, its types kept" {
	cd "$BATS_TEST_TMPDIR"
	printf '%s\n' '{"ident":"ATL","tags":["hub",1],"big":true}' '' '{"big":null,"ident":"BOS"}' '{"ident":"ATL","tags":"second"}' >t.jsonl
	pmap --ocsv '*' t.jsonl >t.csv
	gzip -c t.jsonl >t.jsonl.gz
	local f
	for f in t.jsonl t.jsonl.gz; do
		same_for_all_jobs pjoin -k origin=ident "$f" "$DATA/flights.csv"
		assert_success
		assert_output "$(pjoin -k origin=ident t.csv "$DATA/flights.csv")"
	done
	run -0 pjoin --table-jsonl -k origin=ident - "$DATA/flights.csv" <t.jsonl
	assert_output "$(pjoin -k origin=ident t.csv "$DATA/flights.csv")"
	printf '%s\n' '{"origin":"BOS","n":"7"}' '{"origin":"SFO","n":8}' >s.jsonl
	run -0 pjoin --left -k origin=ident t.jsonl s.jsonl
	assert_output '{"origin":"BOS","n":"7","tags":null,"big":null}
{"origin":"SFO","n":8,"tags":null,"big":null}'
	printf '%s\n' '{"origin":"ATL"}' >a.jsonl
	run -0 pjoin -k origin=ident t.jsonl a.jsonl
	assert_output '{"origin":"ATL","tags":["hub",1],"big":true}
{"origin":"ATL","tags":"second","big":null}'
	# Its faults name TABLE, its line and the key.
	printf '%s\n' '{"ident":"x"}' '{"idnet":"y"}' >bad.jsonl
	run --separate-stderr pjoin -k origin=ident bad.jsonl "$DATA/flights.csv"
	assert_failure 1
	assert_equal "$stderr" 'pjoin: bad.jsonl:2 (record 2): key "idnet" is not a key of the first object (its keys are the fields)'
	printf 'ident\nx\n' >notjson.jsonl
	run --separate-stderr pjoin -k origin=ident notjson.jsonl "$DATA/flights.csv"
	assert_failure 1
	assert_equal "$stderr" 'pjoin: notjson.jsonl:1 (record 1): malformed JSON: a line is not an object (at byte 1)'
	# --table-csv reads it as CSV, whatever its name.
	run -1 --separate-stderr pjoin --table-csv -k origin=ident t.jsonl "$DATA/flights.csv"
	assert_equal "$stderr" 'pjoin: t.jsonl:1 (header): malformed quoting'
}
