#!/usr/bin/env bats
# ptakesort: key order, stable ties, numeric detection, formats, awkward
# CSV, errors, -j identity, sort(1) as the reference, man page examples.

load helper

MIXED=$PFLOW_SOURCE/tests/data/ptakesort-mixed.csv

@test "numeric key ascending: ties keep input order, empty last" {
	same_for_all_jobs ptakesort -n 10 -k score "$MIXED"
	assert_success
	assert_output 'id,name,score,note
6,zeta,-3.5,negative
2,"beta, the second",9,"multi
line"
5,epsilon,9,tie with 2
1,alpha,10,plain
7,eta,1e1,ten again
4,"delta ""d""",100,quoted
3,gamma,,empty score'
}

@test ":desc reverses numbers but not ties, and empty stays last" {
	same_for_all_jobs ptakesort -n 10 -k score:desc "$MIXED"
	assert_success
	assert_output 'id,name,score,note
4,"delta ""d""",100,quoted
1,alpha,10,plain
7,eta,1e1,ten again
2,"beta, the second",9,"multi
line"
5,epsilon,9,tie with 2
6,zeta,-3.5,negative
3,gamma,,empty score'
}

@test "-n keeps only the first N; -n 0 writes only the header" {
	same_for_all_jobs ptakesort -n 2 -k score:desc "$MIXED"
	assert_output 'id,name,score,note
4,"delta ""d""",100,quoted
1,alpha,10,plain'
	same_for_all_jobs ptakesort -n 0 -k score "$MIXED"
	assert_success
	assert_output 'id,name,score,note'
	run ptakesort --count 1 --key id:desc "$MIXED"
	assert_output 'id,name,score,note
7,eta,1e1,ten again'
}

@test "a key with one non-number compares byte-wise, decided for all -j" {
	F=$(mkinput f.csv < <(printf 'k,v\na,10\nb,\nc,9\nd,100\ne,n/a\n'))
	same_for_all_jobs ptakesort -n 9 -k v "$F"
	assert_output 'k,v
a,10
d,100
c,9
e,n/a
b,'
	G=$(mkinput g.csv < <(printf 'k,v\na,10\nb,\nc,9\nd,100\n'))
	same_for_all_jobs ptakesort -n 9 -k v "$G"
	assert_output 'k,v
c,9
a,10
d,100
b,'
}

@test "the non-number may come last, in another batch than the rest" {
	F=$(mkinput f.csv < <(echo k,v; for i in $(seq 1 300); do echo "r$i,$i"; done; echo z,x))
	same_for_all_jobs ptakesort -n 4 -k v "$F"
	assert_output 'k,v
r1,1
r10,10
r100,100
r101,101'
	head -n 301 "$F" >"$BATS_TEST_TMPDIR/numeric.csv"
	same_for_all_jobs ptakesort -n 3 -k v:desc "$BATS_TEST_TMPDIR/numeric.csv"
	assert_output 'k,v
r300,300
r299,299
r298,298'
}

@test ":str forces byte-wise order on numbers" {
	same_for_all_jobs ptakesort -n 4 -k score:str "$MIXED"
	assert_output 'id,name,score,note
6,zeta,-3.5,negative
1,alpha,10,plain
4,"delta ""d""",100,quoted
7,eta,1e1,ten again'
}

@test ":num puts numbers first, then non-numbers byte-wise, then empty" {
	F=$(mkinput f.csv < <(printf 'v,i\nb,1\n2,2\n,3\na,4\n-1,5\n'))
	same_for_all_jobs ptakesort -n 9 -k v:num "$F"
	assert_output 'v,i
-1,5
2,2
a,4
b,1
,3'
	same_for_all_jobs ptakesort -n 9 -k v:num:desc "$F"
	assert_output 'v,i
2,2
-1,5
b,1
a,4
,3'
	run ptakesort -n 9 -k v:desc:num "$F"
	assert_output 'v,i
2,2
-1,5
b,1
a,4
,3'
}

@test "integers and decimals compare exactly" {
	# 2^53 + 1 is not a double: it must still beat 2^53 written as one.
	F=$(mkinput f.csv < <(printf 'v\n9007199254740993\n9007199254740992\n9007199254740992.0\n-0\n0.0\n1e2\n99.5\n'))
	same_for_all_jobs ptakesort -n 9 -k v "$F"
	assert_output 'v
-0
0.0
99.5
1e2
9007199254740992
9007199254740992.0
9007199254740993'
	same_for_all_jobs ptakesort -n 9 -k v:desc "$F"
	assert_output 'v
9007199254740993
9007199254740992
9007199254740992.0
1e2
99.5
-0
0.0'
}

@test "several keys: the next key breaks the ties of the one before" {
	F=$(mkinput f.csv < <(printf 'g,n,i\nb,1,1\na,5,2\nb,7,3\na,5,4\na,9,5\n'))
	same_for_all_jobs ptakesort -n 9 -k g,n:desc "$F"
	assert_output 'g,n,i
a,9,5
a,5,2
a,5,4
b,7,3
b,1,1'
	same_for_all_jobs ptakesort -n 2 -k 'g:desc, n:asc' "$F"
	assert_output 'g,n,i
b,1,1
b,7,3'
}

@test "keys by position, \$N, {name} and expressions" {
	same_for_all_jobs ptakesort -n 2 -k 3:desc "$MIXED"
	assert_output 'id,name,score,note
4,"delta ""d""",100,quoted
1,alpha,10,plain'
	run ptakesort -n 2 -k '$3:desc' "$MIXED"
	assert_output 'id,name,score,note
4,"delta ""d""",100,quoted
1,alpha,10,plain'
	run ptakesort -n 2 -k '{score}:desc' "$MIXED"
	assert_output 'id,name,score,note
4,"delta ""d""",100,quoted
1,alpha,10,plain'
	same_for_all_jobs ptakesort -n 3 -k 'len(name):desc' "$MIXED"
	assert_output 'id,name,score,note
2,"beta, the second",9,"multi
line"
4,"delta ""d""",100,quoted
5,epsilon,9,tie with 2'
	same_for_all_jobs ptakesort -n 3 -k 'score * -1' "$MIXED"
	assert_output 'id,name,score,note
4,"delta ""d""",100,quoted
1,alpha,10,plain
7,eta,1e1,ten again'
	# A boolean is the string "true" or "false".
	same_for_all_jobs ptakesort -n 2 -k 'score > 9:desc,id:desc' "$MIXED"
	assert_output 'id,name,score,note
7,eta,1e1,ten again
4,"delta ""d""",100,quoted'
}

@test "a conditional keeps its : when the suffix is not glued to it" {
	F=$(mkinput f.csv < <(printf 'a,desc\n1,3\n0,2\n1,1\n'))
	run ptakesort -n 3 -k 'a == 1 ? desc : 0' "$F"
	assert_output 'a,desc
0,2
1,1
1,3'
	run ptakesort -n 3 -k 'a == 1 ? 0 : {desc}:desc' "$F"
	assert_output 'a,desc
0,2
1,3
1,1'
}

@test "records are written byte for byte: quotes, CRLF, BOM, no final newline" {
	F=$(mkinput f.csv < <(printf '\xef\xbb\xbfk,v\r\n"a ""q""",2\r\nb,"x\r\ny"\r\n"c,d",1'))
	same_for_all_jobs ptakesort -n 5 -k v "$F"
	assert_output "$(printf 'k,v\n"c,d",1\n"a ""q""",2\nb,"x\r\ny"')"
}

@test "--ojsonl, --otsv and --tsv input re-serialize the records" {
	run ptakesort -n 2 -k score:desc --ojsonl "$MIXED"
	assert_output '{"id":4,"name":"delta \"d\"","score":100,"note":"quoted"}
{"id":1,"name":"alpha","score":10,"note":"plain"}'
	same_for_all_jobs ptakesort -n 2 -k note:desc --otsv "$MIXED"
	assert_output 'id	name	score	note
5	epsilon	9	tie with 2
7	eta	1e1	ten again'
	T=$(mkinput t.tsv < <(printf 'a\tb\nx y\t2\nz\t1\n'))
	same_for_all_jobs ptakesort --tsv -n 5 -k b "$T"
	assert_output "$(printf 'a\tb\nz\t1\nx y\t2')"
	run ptakesort --tsv --ocsv -n 5 -k b "$T"
	assert_output 'a,b
z,1
x y,2'
}

@test "-H: no header, keys by position; --lines with -d; -d ';'" {
	F=$(mkinput f.csv < <(printf 'b,2\na,3\nc,1\n'))
	same_for_all_jobs ptakesort -H -n 2 -k 2 "$F"
	assert_output 'c,1
b,2'
	L=$(mkinput l.txt < <(printf 'x:5\n\ny:1\nshort\n'))
	same_for_all_jobs ptakesort --lines -d : -n 9 -k '$2' "$L"
	assert_output 'y:1
x:5

short'
	same_for_all_jobs ptakesort --lines -n 9 -k '$0:desc' --ocsv "$L"
	assert_output 'y:1
x:5
short
""'
	S=$(mkinput s.csv < <(printf 'k;v\na;2\nb;1\n'))
	run ptakesort -d ';' -n 1 -k v "$S"
	assert_output 'k;v
b;1'
}

@test "stdin, '-', several files, empty input" {
	run bash -c "printf 'v\n2\n1\n' | ptakesort -n 1 -k v"
	assert_output 'v
1'
	run bash -c "printf 'v\n2\n1\n' | ptakesort -n 1 -k v:desc -"
	assert_output 'v
2'
	A=$(mkinput a.csv < <(printf 'v\n5\n3\n'))
	B=$(mkinput b.csv < <(printf 'v\n4\n3\n'))
	same_for_all_jobs ptakesort -n 3 -k v "$A" "$B"
	assert_output 'v
3
3
4'
	E=$(mkinput e.csv </dev/null)
	run ptakesort -n 3 -k v "$E"
	assert_success
	assert_output ''
	H=$(mkinput h.csv < <(printf 'v\n'))
	run ptakesort -n 3 -k v "$H"
	assert_success
	assert_output 'v'
}

@test "a large -n keeps everything, in order" {
	F=$(mkinput f.csv < <(echo k,v; seq 1 5000 | awk '{ print "r" $1 "," ($1 * 7919) % 5003 }'))
	same_for_all_jobs ptakesort -n 1000000 -k v:desc "$F"
	assert_success
	assert_equal "$output" "$(head -n 1 "$F"; tail -n +2 "$F" | LC_ALL=C sort -s -t, -k2,2nr)"
}

@test "the same output for -j1 and -j4 on tests/data/flights.csv, many keys" {
	for k in delay delay:desc origin,delay:desc 'destination:desc,distance' \
	    'date:desc' 'distance % 7,delay:num:desc' 'origin . destination'; do
		same_for_all_jobs ptakesort -n 25 -k "$k" "$DATA/flights.csv"
		assert_success
		run ptakesort -n 25 -k "$k" -j 2 --chunk 1K "$DATA/flights.csv"
		assert_equal "$output" "$(ptakesort -n 25 -k "$k" -j1 "$DATA/flights.csv")"
	done
}

# sort -s is stable, so sort -s | head is the reference. Empty delays
# sort differently (sort -n takes them as 0), so they are filtered out.
@test "equals sort -s | head on tests/data/flights.csv" {
	NE=$BATS_TEST_TMPDIR/nonempty.csv
	awk -F, 'NR == 1 || $2 != ""' "$DATA/flights.csv" >"$NE"
	check() {	# N KEYS SORT-ARGS...
		local n=$1 keys=$2
		shift 2
		run ptakesort -n "$n" -k "$keys" -j4 --chunk 2K "$NE"
		assert_success
		assert_equal "$output" "$(head -n 1 "$NE"; tail -n +2 "$NE" |
		    LC_ALL=C sort -s -t, "$@" | head -n "$n")"
	}
	check 20 delay:desc -k2,2nr
	check 20 delay -k2,2n
	check 50 distance -k3,3n
	check 30 origin -k4,4
	check 30 origin:desc,distance -k4,4r -k3,3n
	check 40 destination,delay:desc -k5,5 -k2,2nr
	check 15 date:desc -k1,1r
	check 3000 delay:desc -k2,2nr
}

@test "equals mlr sort + head on tests/data/flights.csv" {
	command -v mlr >/dev/null || skip "mlr not installed"
	NE=$BATS_TEST_TMPDIR/nonempty.csv
	awk -F, 'NR == 1 || $2 != ""' "$DATA/flights.csv" >"$NE"
	run ptakesort -n 30 -k delay:desc,origin "$NE"
	assert_equal "$output" "$(mlr --csv sort -nr delay -f origin then head -n 30 "$NE")"
}

@test "malformed input is an error with its place, or goes to --bad" {
	F=$(mkinput f.csv < <(printf 'k,v\na,1\nb\nc,0\n'))
	run --separate-stderr ptakesort -n 5 -k v "$F"
	assert_failure 1
	assert_equal "$stderr" "ptakesort: $F:3 (record 2): too few fields"
	run --separate-stderr ptakesort -n 5 -k v --bad "$BATS_TEST_TMPDIR/bad.csv" "$F"
	assert_success
	assert_output 'k,v
c,0
a,1'
	assert_equal "$stderr" "ptakesort: 1 malformed record written to $BATS_TEST_TMPDIR/bad.csv"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/bad.csv")" 'b'
	G=$(mkinput g.csv < <(printf 'k,v\na,"1\n'))
	run -1 ptakesort -n 5 -k v "$G"
	run -1 ptakesort -n 5 -k v "$BATS_TEST_TMPDIR/missing.csv"
}

@test "usage errors exit 2" {
	run --separate-stderr ptakesort -g name -k v "$MIXED"
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "ptakesort: -g needs -n N"
	run --separate-stderr ptakesort --sample "$MIXED"
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "ptakesort: --sample needs -n N"
	run --separate-stderr ptakesort -n 3 "$MIXED"
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "ptakesort: missing -k KEY"
	for bad in x -1 3x ''; do
		run --separate-stderr ptakesort -n "$bad" -k v "$MIXED"
		assert_failure 2
		assert_equal "${stderr%%$'\n'*}" "ptakesort: -n: invalid count '$bad'"
	done
	run --separate-stderr ptakesort -n 3 -k nope "$MIXED"
	assert_failure 2
	assert_output ''
	assert_equal "${stderr%%$'\n'*}" "ptakesort: unknown field 'nope'; did you mean 'note'? (fields: id, name, score, note)"
	run --separate-stderr ptakesort -n 3 -k 9 "$MIXED"
	assert_failure 2
	assert_equal "$stderr" "ptakesort: unknown field '9' (fields: id, name, score, note)"
	run --separate-stderr ptakesort -n 3 -k score:num:str "$MIXED"
	assert_failure 2
	assert_equal "$stderr" "ptakesort: -k: key 'score:num:str': :num and :str conflict"
	run --separate-stderr ptakesort -n 3 -k score:desc:asc "$MIXED"
	assert_failure 2
	assert_equal "$stderr" "ptakesort: -k: key 'score:desc:asc': :asc and :desc conflict"
	run --separate-stderr ptakesort -n 3 -k score:dsc "$MIXED"
	assert_failure 2
	assert_equal "$stderr" "ptakesort: -k: unknown suffix ':dsc' in 'score:dsc' (suffixes: :num, :str, :desc, :asc)"
	run --separate-stderr ptakesort -n 3 -k ':desc' "$MIXED"
	assert_failure 2
	run --separate-stderr ptakesort -n 3 -k 'a,,b' "$MIXED"
	assert_failure 2
	run --separate-stderr ptakesort -n 3 -k 'score +' "$MIXED"
	assert_failure 2
	run --separate-stderr ptakesort -n 3 -k a,b,c,d,e,f,g,h,i "$MIXED"
	assert_failure 2
	assert_equal "$stderr" "ptakesort: -k: more than 8 keys without :num or :str"
	run ptakesort --frobnicate -n 3 -k v "$MIXED"
	assert_failure 2
}

@test "--help and --version exit 0" {
	run ptakesort --help
	assert_success
	assert_line --index 0 'usage: ptakesort [OPTIONS] [-n N] -k KEY[:num|:str][:desc][,KEY...] [FILE...]'
	run ptakesort --version
	assert_success
}

@test "a closed stdout ends quietly with status 0" {
	F=$BATS_TEST_TMPDIR/big.csv
	{ echo k,v; seq 1 20000 | awk '{ print "r" $1 "," $1 }'; } >"$F"
	run bash -c "ptakesort -n 20000 -k v:desc '$F' | head -n 2; exit \${PIPESTATUS[0]}"
	assert_success
	assert_output 'k,v
r20000,20000'
}

# Worked cases on the crafted sample in tests/data/ (the man page's
# examples before it moved to the real data in data/), then a check that
# the page shows exactly what its commands print on data/.
run_in_source() {
	run bash -c "cd '$PFLOW_SOURCE' && $1"
}

@test "tests/data: the five most delayed flights" {
	run_in_source 'ptakesort -n 5 -k delay:desc tests/data/flights.csv'
	assert_output 'date,delay,distance,origin,destination
2001-01-07T19:39,109,2567,BOS,ORD
2001-01-20T06:06,99,729,DEN,ATL
2001-01-21T16:16,96,407,DFW,SEA
2001-01-04T17:40,93,248,PHX,ATL
2001-01-10T22:38,92,748,BOS,DEN'
}

@test "tests/data: a second key breaks the ties of the first" {
	run_in_source 'ptakesort -n 3 -k origin,distance:desc tests/data/flights.csv'
	assert_output 'date,delay,distance,origin,destination
2001-01-07T22:10,-5,2699,ATL,BOS
2001-01-30T13:45,4,2685,ATL,SFO
2001-01-02T21:28,34,2678,ATL,SFO'
}

@test "tests/data: an expression as a key" {
	run_in_source "ptakesort -n 3 -k 'len(name):desc,name' tests/data/airports.csv"
	assert_output 'id,ident,type,name,elevation_ft,iso_country,municipality
3579,NO0579,small_airport,"Airstrip North, Old ""The North""",4028,NO,Kyōto
3480,BR0480,small_airport,"Municipal St. Mary'"'"'s ""The Lake""",6323,BR,Riverside
3357,GB0357,large_airport,"Regional Valley ""The Municipal""",,GB,Clinton'
}

@test "tests/data: in a pipeline, JSON Lines out" {
	run_in_source "pfilter 'type == \"large_airport\"' tests/data/airports.csv | ptakesort --ojsonl -n 3 -k elevation_ft:desc"
	assert_output '{"id":3191,"ident":"US0191","type":"large_airport","name":"Hill County","elevation_ft":8734,"iso_country":"US","municipality":"Springfield"}
{"id":3160,"ident":"DE0160","type":"large_airport","name":"Field Municipal","elevation_ft":8267,"iso_country":"DE","municipality":"Fairview"}
{"id":3001,"ident":"CA0001","type":"large_airport","name":"Creek Municipal","elevation_ft":7612,"iso_country":"CA","municipality":"Kyōto"}'
}

@test "tests/data: numbers and strings" {
	run_in_source "printf 'k,v\na,10\nb,\nc,9\nd,100\n' | ptakesort -n 4 -k v:desc"
	assert_output 'k,v
d,100
a,10
c,9
b,'
	run_in_source "printf 'k,v\na,10\nb,\nc,9\nd,100\ne,n/a\n' | ptakesort -n 5 -k v:desc"
	assert_output 'k,v
e,n/a
c,9
d,100
a,10
b,'
}

@test "man page EXAMPLES show what their commands print" {
	local page=$PFLOW_SOURCE/man/ptakesort.1.in cmd="" expect="" n=0 line
	check_example() {
		[ -n "$cmd" ] || return 0
		run_in_source "$cmd"
		assert_equal "$output" "${expect%$'\n'}"
		n=$((n + 1))
	}
	while IFS= read -r line; do
		line=${line//\\e/\\}
		line=${line//\\&/}
		case $line in
		'$ '*)	check_example; cmd=${line#\$ }; expect="" ;;
		.Ed)	check_example; cmd="" ;;
		*)	[ -n "$cmd" ] && expect+="$line"$'\n' ;;
		esac
	done < <(sed -n '/^\.Sh EXAMPLES/,/^\.Sh SEE ALSO/p' "$page")
	assert_equal "$n" 9
}

@test "-g: the first N of each group, groups by first appearance, against Python" {
	in=$BATS_TEST_TMPDIR/g.csv
	python3 - "$in" <<'PY'
import random, sys
r = random.Random(11)
with open(sys.argv[1], "w") as f:
    f.write("id,g,h,v\n")
    for i in range(5000):
        v = r.choice(["", "x"]) if r.random() < 0.03 else str(r.randint(-20, 20))
        f.write("%d,%s,%s,%s\n" % (i, r.choice("abcdefg"), r.randint(0, 3), v))
PY
	want() {	# python oracle: N, then "desc" or "asc"
		python3 - "$in" "$1" "$2" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
head, rows = rows[0], rows[1:]
n, desc = int(sys.argv[2]), sys.argv[3] == "desc"
groups = {}
for r in rows:
    groups.setdefault((r[1], r[2]), []).append(r)
# v is not all numbers ("x"): byte-wise order, empty values last
print(",".join(head))
for g, rs in groups.items():
    # sorted() is stable with reverse too: ties keep input order
    nonempty = sorted((r for r in rs if r[3] != ""), key=lambda r: r[3], reverse=desc)
    out = nonempty + [r for r in rs if r[3] == ""]
    for r in out[:n]:
        print(",".join(r))
PY
	}
	same_for_all_jobs ptakesort -n 3 -g g,h -k v:desc "$in"
	assert_success
	assert_output "$(want 3 desc)"
	same_for_all_jobs ptakesort -n 1 -g g,h -k v "$in"
	assert_output "$(want 1 asc)"
	run ptakesort -n 0 -g g -k v "$in"
	assert_output 'id,g,h,v'
}

@test "-g with an expression and numeric keys; --stats counts every group's records" {
	F=$DATA/flights.csv
	run ptakesort -n 1 -g 'substr(date, 1, 10)' -k delay:num:desc "$F"
	assert_success
	assert_output "$(python3 - "$F" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
best = {}
for r in rows:
    d = r["date"][:10]
    if r["delay"] == "":
        continue
    if d not in best or float(r["delay"]) > float(best[d]["delay"]):
        best[d] = r
print("date,delay,distance,origin,destination")
seen = []
for r in rows:
    d = r["date"][:10]
    if d not in seen:
        seen.append(d)
for d in seen:
    r = best[d]
    print(",".join(r[k] for k in ("date", "delay", "distance", "origin", "destination")))
PY
)"
	run --separate-stderr ptakesort --stats -n 2 -g origin -k delay "$F"
	[[ ${stderr_lines[0]} == "ptakesort: 2000 records in, 20 records out, "* ]] ||
	    fail "${stderr_lines[0]}"
	run --separate-stderr ptakesort -n 2 -g nope -k delay "$F"
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "ptakesort: unknown field 'nope' (fields: date, delay, distance, origin, destination)"
}

@test "--sample: N records at random, in input order, the same for every -j and --chunk" {
	F=$DATA/flights.csv
	numbered=$BATS_TEST_TMPDIR/n.csv
	pmap 'n = nr(), *' "$F" > "$numbered"
	same_for_all_jobs ptakesort -n 20 --sample --seed 3 "$numbered"
	assert_success
	assert_equal "${#lines[@]}" 21
	# a subset of the input, in input order, each record once
	run bash -c "ptakesort -n 20 --sample --seed 3 '$numbered' | tail -n +2 | cut -d, -f1"
	local got=$output
	assert_equal "$got" "$(sort -n -u <<<"$got")"
	run bash -c "ptakesort -n 20 --sample --seed 3 '$numbered' | tail -n +2 | while IFS= read -r l; do grep -qxF -- \"\$l\" '$numbered' || echo \"not in the input: \$l\"; done"
	assert_output ''
	# the seed changes the sample; N past the input is the whole input
	run bash -c "ptakesort -n 20 --sample --seed 4 '$numbered' | tail -n +2 | cut -d, -f1"
	[ "$output" != "$got" ] || fail "seeds 3 and 4 gave the same sample"
	run ptakesort -n 5000 --sample "$numbered"
	assert_output "$(cat "$numbered")"
	run --separate-stderr ptakesort -n 2 --sample -k delay "$F"
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "ptakesort: --sample takes no -k: its order is random"
}

@test "--sample without --seed: a new sample each run; --stats prints the seed that repeats it" {
	F=$DATA/flights.csv
	local a b seed
	run --separate-stderr ptakesort -n 20 --sample --stats "$F"
	assert_success
	a=$output
	seed=$(sed -n 's/^ptakesort: seed \([0-9][0-9]*\)$/\1/p' <<<"$stderr")
	[ -n "$seed" ] || fail "no seed in --stats: $stderr"
	run --separate-stderr ptakesort -n 20 --sample "$F"
	b=$output
	# 20 of 3000 records: two equal samples have odds below 1e-50.
	[ "$a" != "$b" ] || fail "two runs without --seed gave the same sample"
	same_for_all_jobs ptakesort -n 20 --sample --seed "$seed" "$F"
	assert_equal "$output" "$a"
	# a given seed is printed as given
	run --separate-stderr ptakesort -n 1 --sample --seed 7 --stats "$F"
	assert_equal "${stderr_lines[2]}" "ptakesort: seed 7"
}

@test "--sample is uniform: one of ten records, over 1000 seeds" {
	[ -z "${PFLOW_VALGRIND:-}" ] || skip "1000 runs are too slow under valgrind"
	! ldd "$PFLOW_BUILD/ptakesort" | grep -q 'lib[at]san' ||
	    skip "1000 runs are too slow under a sanitizer"
	in=$(mkinput ten.csv < <(printf 'x\n'; seq 10))
	run bash -c "for s in \$(seq 1000); do ptakesort -n 1 --sample --seed \$s '$in' | tail -1; done | sort | uniq -c | awk '{print \$1}'"
	assert_equal "${#lines[@]}" 10
	# each about 100; chi-square with 9 degrees of freedom below 27.9 (p = 0.001)
	run python3 -c "
import sys
c = [int(x) for x in sys.argv[1].split()]
print('ok' if sum((x - 100) ** 2 / 100 for x in c) < 27.9 else c)" "$output"
	assert_output ok
}

# Miller's top keeps the last of tied maxima (ours: the first, input
# order), so the values are distinct within each group for the maxima;
# for minima both keep the first, so real data with ties agrees too.
@test "-g equals Miller's top -g -a (values distinct per group)" {
	command -v mlr >/dev/null || skip "mlr not installed"
	in=$BATS_TEST_TMPDIR/distinct.csv
	python3 -c '
import random
random.seed(7)
vals = random.sample(range(-5000, 5000), 3000)
print("id,g,h,v")
for i, v in enumerate(vals):
    print("%d,%s,%s,%d" % (i, random.choice("abcdefg"), random.choice("xy"), v))
' >"$in"
	run ptakesort -n 3 -g g -k v:desc "$in"
	assert_success
	assert_equal "$output" "$(mlr --csv top -n 3 -f v -g g -a "$in")"
	run ptakesort -n 4 -g h,g -k v "$in"
	assert_equal "$output" "$(mlr --csv top -n 4 -f v --min -g h,g -a "$in")"
	run ptakesort -n 2 -g origin -k distance "$DATA/flights.csv"
	assert_equal "$output" "$(mlr --csv top -n 2 -f distance --min -g origin -a "$DATA/flights.csv")"
}
