#!/usr/bin/env bats
# Input formats beside CSV: the format a file's name says (.tsv, .tab,
# also under a compression suffix), names for headerless input
# (-H --names), and --lines -d ' ' split on runs of blanks as awk does
# (checked against awk on random lines).

load helper

@test ".tsv and .tab files are read as TSV, compressed too; an option wins" {
	local d=$BATS_TEST_TMPDIR
	tr , '\t' <"$DATA/flights.csv" >"$d/f.tsv"
	cp "$d/f.tsv" "$d/f.tab"
	gzip -c "$d/f.tsv" >"$d/f.tsv.gz"
	zstd -q -c "$d/f.tsv" >"$d/F.TSV.zst"
	local want
	want=$(preduce --tsv -k origin count mean:delay <"$d/f.tsv")
	[ "$(echo "$want" | head -1)" = "origin	count	delay_mean" ]
	for f in f.tsv f.tab f.tsv.gz F.TSV.zst; do
		run -0 preduce -k origin count mean:delay "$d/$f"
		assert_output "$want"
		same_for_all_jobs pfilter 'delay > 100' "$d/$f"
		assert_output "$(pfilter --tsv 'delay > 100' <"$d/f.tsv")"
	done
	# --csv reads a .tsv file as CSV: one field per line.
	run -0 preduce --csv count "$d/f.tsv"
	assert_output "count
2000"
	# stdin has no name: CSV unless told.
	run -0 preduce count - <"$d/f.tsv"
	assert_output "count
2000"
	# A .csv.gz is CSV; other extensions are CSV.
	gzip -c "$DATA/flights.csv" >"$d/f.csv.gz"
	cp "$DATA/flights.csv" "$d/f.txt"
	run -0 preduce count "$d/f.csv.gz" "$d/f.txt"
	assert_output "count
4000"
}

@test "files whose names say different formats: a usage error unless told" {
	local d=$BATS_TEST_TMPDIR
	printf 'a,b\n1,2\n' >"$d/x.csv"
	printf 'a\tb\n3\t4\n' >"$d/y.tsv"
	run -2 --separate-stderr pmap '*' "$d/x.csv" "$d/y.tsv"
	assert_equal "$stderr" "pmap: $d/x.csv is CSV by its name but $d/y.tsv is TSV: say which with --csv, --tsv, ...
Try 'pmap --help' for more information."
	run -0 pmap --tsv 'a' "$d/y.tsv" "$d/y.tsv"
	assert_output 'a
3
3'
}

@test "-H --names names headerless input and writes a header, in every tool" {
	local d=$BATS_TEST_TMPDIR
	printf '1,x\n2,y\n3,x\n' >"$d/h.csv"
	run -0 pmap -H --names n,s 's, twice = n * 2' "$d/h.csv"
	assert_output 's,twice
x,2
y,4
x,6'
	same_for_all_jobs pfilter -H --names n,s 'n > 1' "$d/h.csv"
	assert_output 'n,s
2,y
3,x'
	run -0 preduce -H --names n,s -k s sum:n "$d/h.csv"
	assert_output 's,n_sum
x,4
y,2'
	run -0 ptakesort -H --names n,s -k n:desc -n 2 "$d/h.csv"
	assert_output 'n,s
3,x
2,y'
	run -0 pmap -H --names n,s --ojsonl '*' "$d/h.csv"
	assert_line -n 0 '{"n":1,"s":"x"}'
	run -0 pmap -H --names n,s -- echo '{s}{n}' <"$d/h.csv"
	assert_output 'x1
y2
x3'
	# --lines: the names of $1, $2, ...
	run -0 preduce --lines -d ' ' --names n,s -k s count <<<'1 x
2 y'
	assert_output 's count
x 1
y 1'
	# A name that is not given is unknown, even on empty input.
	run -2 --separate-stderr pmap -H --names n,s 'q' </dev/null
	assert_equal "$(head -1 <<<"$stderr")" "pmap: unknown field 'q' (fields: n, s)"
	run -0 pmap -H --names n,s 's' </dev/null
	assert_output ''
}

@test "--names: without -H, or with an empty name, is a usage error" {
	run -2 --separate-stderr pfilter --names a,b true </dev/null
	assert_equal "$stderr" "pfilter: --names names the fields of input without a header: give -H too (or --lines)
Try 'pfilter --help' for more information."
	for bad in '' ',a' 'a,' 'a,,b'; do
		run -2 --separate-stderr pfilter -H --names "$bad" true </dev/null
		assert_equal "$(head -1 <<<"$stderr")" "pfilter: --names: a list of names separated by commas, none empty: '$bad'"
	done
}

@test "--lines -d ' ' splits on runs of blanks as awk does (random lines)" {
	local d=$BATS_TEST_TMPDIR
	python3 - "$d/blanks.txt" <<'PY'
import random, sys
rng = random.Random(27)
out = []
for _ in range(400):
    parts = []
    for _ in range(rng.randint(0, 7)):
        parts.append("".join(rng.choice(' \t') for _ in range(rng.randint(0, 3))))
        parts.append("".join(rng.choice('ab9,."') for _ in range(rng.randint(1, 4))))
    parts.append("".join(rng.choice(' \t') for _ in range(rng.randint(0, 3))))
    out.append("".join(parts) + rng.choice(["\n", "\n", "\r\n"]))
open(sys.argv[1], "w", newline="").write("".join(out))
PY
	# awk's fields 1..6 (mawk and gawk agree); the CR of a CRLF dropped.
	tr -d '\r' <"$d/blanks.txt" | awk -v OFS='|' '{ print NR, $1, $2, $3, $4, $5, $6 }' >"$d/awk.txt"
	run -0 bash -c 'pmap --lines -d " " --otsv "\$1, \$2, \$3, \$4, \$5, \$6" "$1" |
	    awk -F "\t" -v OFS="|" "{ print NR, \$1, \$2, \$3, \$4, \$5, \$6 }" | cmp - "$2"' _ "$d/blanks.txt" "$d/awk.txt"
	same_for_all_jobs pmap --lines -d ' ' '$2, $1' "$d/blanks.txt"
}

@test "--lines -d ' ': \$9 of an access log line is the status" {
	local d=$BATS_TEST_TMPDIR
	printf '%s\n' \
	    '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326' \
	    '  10.0.0.2  -  frank [10/Oct/2000:13:55:37 -0700] "GET /b HTTP/1.1"	404 12  ' \
	    '10.0.0.3 - - [10/Oct/2000:13:55:38 -0700] "POST /c HTTP/1.1" 200 7' >"$d/access.log"
	run -0 preduce --lines -d ' ' -k 9 count sum:10 "$d/access.log"
	assert_output '200 2 2333
404 1 12'
	run -0 pfilter --lines -d ' ' '$9 == 404' "$d/access.log"
	assert_output '  10.0.0.2  -  frank [10/Oct/2000:13:55:37 -0700] "GET /b HTTP/1.1"	404 12  '
}

@test "--union: the union of the fields by name, in order of first appearance" {
	local d=$BATS_TEST_TMPDIR
	printf 'a,b\n1,2\n' >"$d/u1.csv"
	printf 'b,c,a\n3,"x,y",4\n\n5,"p\nq",7\n' >"$d/u2.csv"
	printf 'c\n9\n' | gzip -c >"$d/u3.csv.gz"
	cp "$d/u1.csv" "$d/u4.csv"
	same_for_all_jobs pmap --union '*' "$d/u1.csv" "$d/u2.csv" "$d/u3.csv.gz" "$d/u4.csv"
	assert_output 'a,b,c
1,2,
4,3,"x,y"
7,5,"p
q"
,,9
1,2,'
	# The same as DuckDB's union_by_name, checked by Python's csv here.
	run -0 python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(len(rows), sorted(rows[2].items()))' <(pmap --union '*' "$d/u1.csv" "$d/u2.csv")
	assert_output "3 [('a', '7'), ('b', '5'), ('c', 'p\\nq')]"
	# filename(): the input each record came from.
	run -0 preduce --union -k 'filename()' count sum:a "$d/u1.csv" "$d/u2.csv" "$d/u3.csv.gz"
	assert_output "filename(),count,a_sum
$d/u1.csv,1,1
$d/u2.csv,2,11
$d/u3.csv.gz,1,"
	run -0 pmap 'filename(), a' - <"$d/u1.csv"
	assert_output 'filename(),a
-,1'
	# TSV too, its escapes kept.
	printf 'x\ty\n1\ta\\tb\n' >"$d/t1.tsv"
	printf 'y\tz\nc\\nd\t2\n' >"$d/t2.tsv"
	run -0 pmap --union --ojsonl '*' "$d/t1.tsv" "$d/t2.tsv"
	assert_output '{"x":1,"y":"a\tb","z":""}
{"x":"","y":"c\nd","z":2}'
}

@test "--union: malformed records keep their line; without it a header differs; stdin and -H refused" {
	local d=$BATS_TEST_TMPDIR
	printf 'a,b\n1,2\n' >"$d/u1.csv"
	printf 'b,a\n3,4\n5,6,7\n8,9\n' >"$d/u2.csv"
	run -1 --separate-stderr pmap --union '*' "$d/u1.csv" "$d/u2.csv"
	assert_equal "$stderr" "pmap: $d/u2.csv:3 (record 2): too many fields"
	run -0 --separate-stderr pmap --union --bad "$d/rej" '*' "$d/u1.csv" "$d/u2.csv"
	assert_output 'a,b
1,2
4,3
9,8'
	run cat "$d/rej"
	assert_output '5,6,7'
	run -1 --separate-stderr pmap '*' "$d/u1.csv" "$d/u2.csv"
	assert_equal "$stderr" "pmap: header of $d/u2.csv differs from header of $d/u1.csv"
	run -1 --separate-stderr pmap --union '*' "$d/u1.csv" - <"$d/u2.csv"
	assert_equal "$stderr" "pmap: --union reads every file's header before any record: standard input cannot be one of its files"
	run -2 --separate-stderr pmap --union -H '*' "$d/u1.csv"
	assert_equal "$(head -1 <<<"$stderr")" "pmap: --union joins files by their header's names: CSV or TSV with a header, not -H, --lines or --jsonl"
}
