#!/usr/bin/env bats
# preduce --summary and pflow stats: one row per column. The oracle
# against Python on random files is tests/summary_oracle.py; here: the
# exact output of awkward CSV, the views and formats, the sketches past
# --memory on 1M values, usage errors, and DuckDB's aggregates on the
# sample flights.

load helper

setup() {
	Q=$(mkinput q.csv < <(printf 'id,text,n\r\n1,"two\r\nlines",5\r\n2,"a ""quote""",\r\n3,"x,y",7\r\n4,plain,8\r\n5,"last\none",9\r\n,plain,1e1\r\n'))
	M=$(mkinput m.csv < <(printf 'a,b,c,d,e\n1,x,2024-01-01,1.5,\n2,y,2024-01-02T10:00,,\n3,x,2024-02-01,2.5,z\n,x,,abc,\n10,,"Jun 12 1998",3,\n'))
}

@test "--summary: every column's row, exactly, for every -j (quotes, CRLF, empties)" {
	same_for_all_jobs preduce --summary "$Q"
	assert_success
	assert_equal "$output" 'field,type,count,empty,distinct,min,max,mean,stdev,p25,median,p75,minlen,maxlen,top,approx
id,integer,5,1,5,1,5,3,1.5811388300841898,2,3,4,1,1,1:1; 2:1; 3:1; 4:1; 5:1,
text,text,6,0,5,"a ""quote""","x,y",,,,,,3,10,"plain:2; two'$'\r''
lines:1; a ""quote"":1; x,y:1; last
one:1",
n,decimal,5,1,5,5,1e1,7.8,1.9235384061671346,7,8,9,1,3,5:1; 7:1; 8:1; 9:1; 1e1:1,'
}

@test "--summary: types integer, text, date, mixed; min and max byte-wise unless numeric" {
	same_for_all_jobs preduce --summary "$M"
	assert_success
	assert_equal "$output" 'field,type,count,empty,distinct,min,max,mean,stdev,p25,median,p75,minlen,maxlen,top,approx
a,integer,4,1,4,1,10,4,4.08248290463863,1.75,2.5,4.75,1,2,1:1; 2:1; 3:1; 10:1,
b,text,4,1,2,x,y,,,,,,1,1,x:3; y:1,
c,date,4,1,4,2024-01-01,Jun 12 1998,,,,,,10,16,2024-01-01:1; 2024-01-02T10:00:1; 2024-02-01:1; Jun 12 1998:1,
d,mixed,4,1,4,1.5,abc,,,,,,1,3,1.5:1; 2.5:1; abc:1; 3:1,
e,text,1,4,1,z,z,,,,,,1,1,z:1,'
}

@test "--summary: the top values, ties by first appearance, five at most; lengths in characters" {
	f=$(mkinput t.csv < <(printf 'w\nb\né\na\nb\né\nc\nd\nee\nf\n日本\n'))
	run preduce --summary "$f"
	assert_success
	assert_line -n 1 'w,text,10,0,8,a,日本,,,,,,1,2,b:2; é:2; a:1; c:1; d:1,'
}

@test "pflow stats is preduce --summary; stdin, -H, TSV and JSON Lines" {
	run preduce --summary "$Q"
	want=$output
	run pflow stats "$Q"
	assert_success
	assert_equal "$output" "$want"
	run pflow stats -j2 < "$Q"
	assert_equal "$output" "$want"
	run bash -c "printf '1,2\n3,\n' | pflow stats -H --otsv"
	assert_success
	assert_equal "$output" "$(printf 'field\ttype\tcount\tempty\tdistinct\tmin\tmax\tmean\tstdev\tp25\tmedian\tp75\tminlen\tmaxlen\ttop\tapprox
1\tinteger\t2\t0\t2\t1\t3\t2\t1.4142135623730951\t1.5\t2\t2.5\t1\t1\t1:1; 3:1\t
2\tinteger\t1\t1\t1\t2\t2\t2\t\t2\t2\t2\t1\t1\t2:1\t')"
	run pflow stats --ojsonl "$M"
	assert_success
	assert_line -n 0 '{"field":"a","type":"integer","count":4,"empty":1,"distinct":4,"min":1,"max":10,"mean":4,"stdev":4.08248290463863,"p25":1.75,"median":2.5,"p75":4.75,"minlen":1,"maxlen":2,"top":"1:1; 2:1; 3:1; 10:1","approx":""}'
	printf '%s\n' "$output" | python3 -c 'import json, sys; [json.loads(l) for l in sys.stdin]'
}

@test "pflow stats --otable: a screen" {
	run pflow stats --otable "$M"
	assert_success
	assert_equal "$output" 'field  type     count  empty  distinct  min         max          mean             stdev   p25  median   p75  minlen  maxlen  top                                                            approx
a      integer      4      1         4  1           10              4  4.08248290463863  1.75     2.5  4.75       1       2  1:1; 2:1; 3:1; 10:1
b      text         4      1         2  x           y                                                             1       1  x:3; y:1
c      date         4      1         4  2024-01-01  Jun 12 1998                                                  10      16  2024-01-01:1; 2024-01-02T10:00:1; 2024-02-01:1; Jun 12 1998:1
d      mixed        4      1         4  1.5         abc                                                           1       3  1.5:1; 2.5:1; abc:1; 3:1
e      text         1      4         1  z           z                                                             1       1  z:1'
}

@test "--summary: a header alone gives empty columns; no input gives nothing" {
	run bash -c "printf 'a,b\n' | preduce --summary"
	assert_success
	assert_equal "$output" 'field,type,count,empty,distinct,min,max,mean,stdev,p25,median,p75,minlen,maxlen,top,approx
a,empty,0,0,0,,,,,,,,,,,
b,empty,0,0,0,,,,,,,,,,,'
	run preduce --summary < /dev/null
	assert_success
	assert_output ''
}

@test "--summary past --memory: sketches within their bounds on 1M values, the same for every -j" {
	[ -z "${PFLOW_VALGRIND:-}" ] || skip "1M records: too slow under valgrind"
	# 1M numbers of 2 decimal places over 3 decades, both signs (about
	# 70000 distinct), keys of 300000 distinct values, and heavy hitters
	# (h: h0 about 10%, h1 5%, ... down to a long tail)
	awk 'BEGIN { srand(29); print "x,k,h"; for (i = 0; i < 1000000; i++)
		printf "%.2f,k%d,h%d\n", (rand() < 0.2 ? -1 : 1) * exp(rand() * 8 - 2), int(rand() * 300000), int(exp(rand() * 12) / 16) }' >"$BATS_TEST_TMPDIR/big.csv"
	run --separate-stderr preduce --summary "$BATS_TEST_TMPDIR/big.csv"
	assert_success
	exact=$output
	run --separate-stderr preduce --summary --memory 8M -j1 "$BATS_TEST_TMPDIR/big.csv"
	assert_success
	approx=$output
	run --separate-stderr preduce --summary --memory 8M -j4 --chunk 100000 "$BATS_TEST_TMPDIR/big.csv"
	assert_equal "$output" "$approx"
	run python3 - "$exact" "$approx" "$BATS_TEST_TMPDIR/big.csv" <<'PY'
import csv, io, sys
from collections import Counter
exact, approx = (list(csv.DictReader(io.StringIO(t))) for t in sys.argv[1:3])
counts = [Counter() for _ in range(3)]
with open(sys.argv[3], newline="") as f:
    for row in list(csv.reader(f))[1:]:
        for i, v in enumerate(row):
            counts[i][v] += 1
assert len(exact) == len(approx) == 3
for e, a, c in zip(exact, approx, counts):
    assert e["approx"] == "", e
    want = "distinct±2.43%" + (" p25±1% median±1% p75±1%" if e["type"] == "decimal" else "") + " top+0.14%"
    # top: Count-Min's counts, at least the true ones, over by at most
    # 1M e / 2048 = 1327, highest first; every value above 1% listed
    # (in h, the five most common are: their counts are far apart)
    top = [(v, int(n)) for v, n in (t.rsplit(":", 1) for t in a["top"].split("; ") if t)]
    for v, n in top:
        assert c[v] <= n <= c[v] + 1327 and n > 1327, (v, n, c[v])
    assert [n for _, n in top] == sorted((n for _, n in top), reverse=True), top
    heavy = [v for v, n in c.most_common() if n > 10000]
    if e["field"] == "h":
        assert [v for v, _ in top] == heavy[:5] and len(heavy) > 5, (top, heavy)
    elif e["field"] == "x":  # values near 0.7% each: listed, none above 1%
        assert top and heavy == [], (top, heavy)
    else:  # k: about 3 each, no estimate passes the bound
        assert top == [] and heavy == [], (top, heavy)
    assert a["approx"] == want, (a["approx"], want)
    for k in ("field", "type", "count", "empty", "min", "max", "mean", "stdev", "minlen", "maxlen"):
        assert a[k] == e[k], (k, a[k], e[k])
    d, got = int(e["distinct"]), int(a["distinct"])
    assert abs(got - d) <= 0.0243 * d, ("distinct", got, d)
    if e["type"] == "decimal":
        for k in ("p25", "median", "p75"):
            # 1M values: the two values interpolated are near each other
            assert abs(float(a[k]) - float(e[k])) <= 0.0101 * abs(float(e[k])), (k, a[k], e[k])
print("ok")
PY
	assert_output 'ok'
}

@test "--summary past --memory: top leaves out values past 256 bytes, lists the others within the bound" {
	# v: half a 300-byte value, 30% 's', the rest distinct
	awk 'BEGIN { srand(7); print "v"; for (i = 0; i < 20000; i++) {
		r = rand(); if (r < 0.5) printf "%0300d\n", 0; else if (r < 0.8) print "s"; else print "u" i } }' >"$BATS_TEST_TMPDIR/long.csv"
	n=$(grep -cx s "$BATS_TEST_TMPDIR/long.csv")
	run --separate-stderr preduce --summary --memory 64K "$BATS_TEST_TMPDIR/long.csv"
	assert_success
	run python3 - "$output" "$n" <<'PY'
import csv, io, sys
row = list(csv.DictReader(io.StringIO(sys.argv[1])))[0]
n = int(sys.argv[2])
assert row["approx"] == "distinct±2.43% top+0.14%", row["approx"]
assert row["maxlen"] == "300", row["maxlen"]
v, c = row["top"].rsplit(":", 1)
# 20000 e / 2048 = 26: the bound of Count-Min's over-count
assert v == "s" and n <= int(c) <= n + 26, (row["top"], n)
print("ok")
PY
	assert_output 'ok'
}

@test "--summary: usage errors" {
	run --separate-stderr preduce --summary -k a "$M"
	assert_failure 2
	[[ "$stderr" == *"--summary takes no -k"* ]]
	run --separate-stderr preduce --summary count "$M"
	assert_failure 2
	[[ "$stderr" == *"--summary takes no AGG: 'count'"* ]]
	run --separate-stderr preduce --memory 1M count "$M"
	assert_failure 2
	[[ "$stderr" == *"--memory goes with --summary"* ]]
	run --separate-stderr preduce --summary --memory 0 "$M"
	assert_failure 2
	[[ "$stderr" == *"bad --memory '0'"* ]]
	run --separate-stderr pflow summary
	assert_failure 2
	[[ "$stderr" == *"pflow stats FILE"* ]]
}

@test "against DuckDB's aggregates on the sample flights (skipped without DuckDB)" {
	local q=$DUCKDB_QUERY
	[ -n "$q" ] || skip "DuckDB is absent (scripts/install-duckdb.sh)"
	f=$DATA/flights.csv
	run --separate-stderr node "$q" "WITH t AS (SELECT delay, distance
	    FROM read_csv('$f', all_varchar = true)),
	    u AS (SELECT 'delay' AS c, delay AS v FROM t
	    UNION ALL SELECT 'distance', distance FROM t)
	    SELECT c AS field, count(v) AS count,
	    count(*) - count(v) AS empty, count(DISTINCT v) AS distinct,
	    min(x)::VARCHAR AS min, max(x)::VARCHAR AS max, avg(x) AS mean,
	    quantile_cont(x, 0.25) AS p25, quantile_cont(x, 0.5) AS median,
	    quantile_cont(x, 0.75) AS p75
	    FROM (SELECT c, v, TRY_CAST(v AS BIGINT) AS x FROM u)
	    GROUP BY c ORDER BY c"
	[ "$status" -eq 0 ] || skip "DuckDB failed: $stderr"
	local want=$output
	run bash -c "pflow stats '$f' | pfilter 'type == \"integer\"' | pmap 'field, count, empty, distinct, min, max, mean, p25, median, p75'"
	assert_success
	assert_equal "$output" "$want"
}
