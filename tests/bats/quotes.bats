#!/usr/bin/env bats
# quotes: malformed quoting never takes good records with it. A quote
# opens a field only at a field's start (x"y is data, as Python's csv,
# DuckDB and Miller read it), in every tool and every reader (the engine,
# pmap's command modes, ppartition's collector); an unterminated quote
# costs only the line where it opens; CR-only files are an error; a later
# file's header is compared by its fields. Python's csv module is the
# oracle for random CSV (tests/csv_oracle.py).

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
}

@test "x\"y at records 101 and 1501 of 2,000: all 2,000 records out, nothing set aside" {
	python3 -c '
print("id,name,val")
for i in range(1, 2001):
    print("%d,%s,%d" % (i, "x\"y" if i in (101, 1501) else "n%d" % i, i * 3))
' >q2000.csv
	same_for_all_jobs pfilter --bad b.txt true q2000.csv
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$output" "$(cat q2000.csv)"
	[ -f b.txt ] && [ ! -s b.txt ]
	run -0 pfilter -c 'name =~ /"/' q2000.csv
	assert_output 2
	run -0 pfilter -j4 --chunk 64 -c 'val > 0' q2000.csv
	assert_output 2000
}

@test "x\"y is data in every position of a field but the first, with -j1 and -j4 --chunk 64" {
	printf 'id,name,n\n1,x"y,10\n2,5" disk,20\n3,a""b,30\n4,"q ""r""",40\n5,z",50\n' >s.csv
	same_for_all_jobs pfilter 'n > 0' s.csv
	assert_success
	assert_output "$(cat s.csv)"
	same_for_all_jobs pfilter 'name =~ /"/' s.csv
	assert_output 'id,name,n
1,x"y,10
2,5" disk,20
3,a""b,30
4,"q ""r""",40
5,z",50'
	same_for_all_jobs pmap --ojsonl '*' s.csv
	assert_output '{"id":1,"name":"x\"y","n":10}
{"id":2,"name":"5\" disk","n":20}
{"id":3,"name":"a\"\"b","n":30}
{"id":4,"name":"q \"r\"","n":40}
{"id":5,"name":"z\"","n":50}'
	printf '%s\n' "$output" | python3 -c 'import json, sys; [json.loads(l) for l in sys.stdin]'
	same_for_all_jobs pmap 'name' s.csv
	assert_output 'name
"x""y"
"5"" disk"
"a""""b"
"q ""r"""
"z"""'
}

@test "the quotes of a field are data also across batch and block boundaries" {
	# A 64-byte block boundary inside x"y, and stray quotes after a
	# multi-line quoted field, at every --chunk from 1 to 80.
	local pad c
	pad=$(printf '%058d' 0)
	printf 'a,b\n%s,"m\nn"\n1,x"\n2,"y"\n3,w"""\n' "$pad" >edge.csv
	for c in $(seq 1 80); do
		run -0 pfilter -j4 --chunk "$c" --queue 3 true edge.csv
		assert_output "$(cat edge.csv)"
	done
}

@test "an unterminated quote: status 1 with file:line (record N), or its line alone to --bad" {
	printf 'id,v\n1,a\n2,"b\n3,c\n4,d\n' >u.csv
	run --separate-stderr pfilter true u.csv
	assert_failure 1
	assert_equal "$stderr" "pfilter: u.csv:3 (record 2): unterminated quoted field"
	same_for_all_jobs pfilter --bad bad.txt true u.csv
	assert_success
	assert_output 'id,v
1,a
3,c
4,d'
	assert_equal "$stderr" "pfilter: 1 malformed record written to bad.txt"
	assert_equal "$(cat bad.txt)" '2,"b'
	# The lines after it are read on their own; a malformed one after it
	# (too many fields) is counted apart.
	printf 'id,v\n1,"a\n2,b\n3,c,d\n4,e\n' >u2.csv
	run --separate-stderr pfilter -j4 --chunk 3 true u2.csv
	assert_failure 1
	assert_equal "$stderr" "pfilter: u2.csv:2 (record 1): unterminated quoted field"
	run --separate-stderr pfilter -j4 --chunk 3 --bad bad.txt true u2.csv
	assert_success
	assert_output 'id,v
2,b
4,e'
	assert_equal "$stderr" "pfilter: 2 malformed records written to bad.txt"
	assert_equal "$(cat bad.txt)" '1,"a
3,c,d'
	run --separate-stderr pfilter 'v == "b"' <(printf 'id,v\n1,"a\n2,b\n3,c,d\n')
	assert_failure 1
	assert_equal "$stderr" "pfilter: /dev/fd/63:2 (record 1): unterminated quoted field"
}

@test "an unterminated quote in the last of two files costs its line only; the first file is whole" {
	printf 'id,v\n1,"x\ny"\n2,z\n' >f1.csv
	printf 'id,v\n3,"open\n4,w\n' >f2.csv
	run --separate-stderr pfilter -j4 --chunk 5 true f1.csv f2.csv
	assert_failure 1
	assert_equal "$stderr" "pfilter: f2.csv:2 (record 1): unterminated quoted field"
	run --separate-stderr pfilter -j4 --chunk 5 --bad bad.txt true f1.csv f2.csv
	assert_success
	assert_output 'id,v
1,"x
y"
2,z
4,w'
	assert_equal "$(cat bad.txt)" '3,"open'
}

@test "CR-only line ends: status 1 naming the file, for every tool and format" {
	local t
	printf 'a,b\r1,2\r3,4\r' >mac.csv
	for t in pfilter pmap preduce ptakesort ppartition; do
		case $t in
		pfilter) run --separate-stderr pfilter true mac.csv ;;
		pmap) run --separate-stderr pmap '*' mac.csv ;;
		preduce) run --separate-stderr preduce count mac.csv ;;
		ptakesort) run --separate-stderr ptakesort -n 2 -k a mac.csv ;;
		ppartition) run --separate-stderr ppartition -k a -n 2 -o 'p{}' mac.csv ;;
		esac
		assert_failure 1
		assert_equal "$stderr" "$t: mac.csv: lines end in CR only (old Mac text); convert them first, e.g. with tr '\\r' '\\n'"
		assert_output ""
	done
	run --separate-stderr pfilter true <mac.csv
	assert_failure 1
	assert_equal "$stderr" "pfilter: stdin: lines end in CR only (old Mac text); convert them first, e.g. with tr '\\r' '\\n'"
	printf 'a,b\n1,2\n' >ok.csv
	run --separate-stderr pfilter true ok.csv mac.csv
	assert_failure 1
	assert_equal "$stderr" "pfilter: mac.csv: lines end in CR only (old Mac text); convert them first, e.g. with tr '\\r' '\\n'"
	printf 'a\tb\r1\t2\r' >mac.tsv
	run --separate-stderr pfilter --tsv true mac.tsv
	assert_failure 1
	printf 'x\ry\r' >mac.txt
	run --separate-stderr pfilter --lines true mac.txt
	assert_failure 1
	assert_equal "$stderr" "pfilter: mac.txt: lines end in CR only (old Mac text); convert them first, e.g. with tr '\\r' '\\n'"
	run --separate-stderr pmap -a mac.csv --batch 2 -- cat
	assert_failure 1
	assert_equal "$stderr" "pmap: mac.csv: lines end in CR only (old Mac text); convert them first, e.g. with tr '\\r' '\\n'"
}

@test "CR inside quotes, CRLF, and a lone CR in a later line are not CR-only files" {
	printf 'a,b\r\n"x\ry",2\r\n' >crlf.csv
	run -0 pfilter true crlf.csv
	assert_output "$(printf 'a,b\n"x\ry",2')"
	printf '"a\rb",c\n1,2\n' >qcr.csv
	run -0 pfilter -c true qcr.csv
	assert_output 1
	printf 'a,b\n1,x\ry\n' >later.csv
	run -0 pfilter -c true later.csv
	assert_output 1
	printf 'progress 10%%\rprogress 20%%\ndone\n' >log.txt
	run -0 pfilter --lines -c true log.txt
	assert_output 2
}

@test "a CR that ends the input ends the record after a quoted field as after an unquoted one" {
	# fuzz_split_libcsv found "x"\r at the end of input taken as text
	# after a closing quote (malformed quoting) while x\r was fine.
	printf 'a,b\r\n"x","y"\r' >qcr-end.csv
	printf 'a,b\r\nx,y\r' >cr-end.csv
	same_for_all_jobs pfilter --bad bad.txt true qcr-end.csv
	assert_success
	assert_equal "$stderr" ""
	assert_output "$(printf 'a,b\n"x","y"')"
	[ ! -s bad.txt ]
	run -0 pfilter true cr-end.csv
	assert_output "$(printf 'a,b\nx,y')"
	printf '"x"\r' >one.csv
	run -0 pmap -H '$1' one.csv
	assert_output x
}

@test "a later header written differently but with the same fields is accepted; a different one is an error naming both" {
	printf '"a",b\n1,2\n' >h1.csv
	printf 'a,"b"\r\n3,4\r\n' >h2.csv
	printf 'a,c\n5,6\n' >h3.csv
	printf '"a,b"\n7\n' >h4.csv
	same_for_all_jobs pfilter true h1.csv h2.csv
	assert_success
	assert_output 'a,b
1,2
3,4'
	run -0 pfilter true h2.csv h1.csv
	assert_output 'a,b
3,4
1,2'
	run --separate-stderr pfilter true h1.csv h3.csv
	assert_failure 1
	assert_equal "$stderr" "pfilter: header of h3.csv differs from header of h1.csv"
	run --separate-stderr pfilter true h1.csv h4.csv
	assert_failure 1
	assert_equal "$stderr" "pfilter: header of h4.csv differs from header of h1.csv"
	run --separate-stderr preduce count h1.csv h2.csv
	assert_success
	assert_output 'count
2'
}

@test "pmap command modes read x\"y as data and set an unterminated quote's line aside" {
	printf 'id,name\n1,x"y\n2,"m\nn"\n3,5" disk\n' >s.csv
	run -0 pmap -a s.csv -j4 --chunk 8 -- echo {name}
	assert_output 'x"y
m
n
5" disk'
	run -0 pmap -a s.csv -j4 --chunk 8 --batch 2 -- sh -c 'echo ---; cat'
	assert_output '---
id,name
1,x"y
2,"m
n"
---
id,name
3,5" disk'
	run -0 pmap -a s.csv -j4 --chunk 8 --pipe -- tail -n +2
	assert_output "$(tail -n +2 s.csv)"
	run -0 pmap -j4 --chunk 8 --pipe -- tail -n +2 <s.csv
	assert_output "$(tail -n +2 s.csv)"
	printf 'id,name\n1,a\n2,"b\n3,c\n' >u.csv
	run --separate-stderr pmap -a u.csv --batch 2 -- cat
	assert_failure 1
	assert_equal "$stderr" "pmap: u.csv:3 (record 2): unterminated quoted field"
	run --separate-stderr pmap -a u.csv -j4 --chunk 4 --bad bad.txt --batch 2 -- cat
	assert_success
	assert_output 'id,name
1,a
3,c'
	assert_equal "$stderr" "pmap: 1 malformed record written to bad.txt"
	assert_equal "$(cat bad.txt)" '2,"b'
}

@test "ppartition -- merges whole records by the same rule: x\"y in a command's output is data" {
	# Each copy writes x"y records and a multi-line quoted one; --ocsv
	# makes the collector cut the outputs as CSV records.
	printf 'k\n1\n2\n3\n4\n5\n6\n' >k.csv
	run -0 ppartition -k k -n 3 --ocsv -a k.csv -- sh -c 'tail -n +2 | while read -r k; do printf "%s,x\"y\n%s,\"m\nn\"\n" "$k" "$k"; done'
	assert_equal "$(printf '%s\n' "$output" | python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
print(len(rows), sorted(r[0] for r in rows if r[1:] == ["x\"y"]) == sorted("123456"),
      sum(r[1:] == ["m\nn"] for r in rows))')" "12 True 6"
}

@test "random CSV with stray quotes, multi-line fields, CRLF and empty fields: the rows Python's csv reads" {
	run python3 "$PFLOW_SOURCE/tests/csv_oracle.py" "$PFLOW_BUILD" "$BATS_TEST_TMPDIR" 25
	assert_success
	assert_output "25 rounds agree with Python's csv"
}
