#!/usr/bin/env bats
# Reshaping: pmap --explode (Flow.flat_map), pmap --melt (wide to long)
# and preduce --pivot (long to wide): against Python's json and csv,
# round trips, DuckDB's UNPIVOT and PIVOT, and every -j.

load helper

# Asserts that $output holds the rows of CSV file $1, as Python's csv
# reads both (pflow quotes " x", Python's writer does not); says which
# row differs.
assert_csv_rows() {
	run python3 -c 'import csv, sys
a, b = (list(csv.reader(open(p, newline=""))) for p in sys.argv[1:])
for i, (x, y) in enumerate(zip(a, b)):
    if x != y:
        sys.exit("row %d: got %r, want %r" % (i + 1, x, y))
if len(a) != len(b):
    sys.exit("%d rows, want %d" % (len(a), len(b)))' \
	    <(printf '%s\n' "$output") "$1"
	assert_success
}

@test "--explode: cut at --sep, a JSON array by element, nothing dropped" {
	f=$(mkinput e.csv < <(printf '%s\n' 'id,tags,n' '1,"a,b,c",x' '2,,y' \
	    '3,"[""p"",1,null,[1, 2],{""k"": ""v\u00e9""},""q\""r""]",z' '4,[],w' '5,[bad,v' '6,"a;;b",u'))
	same_for_all_jobs pmap --explode tags "$f"
	assert_output - <<'EOF2'
id,tags,n
1,a,x
1,b,x
1,c,x
2,,y
3,p,z
3,1,z
3,,z
3,"[1,2]",z
3,"{""k"":""vé""}",z
3,"q""r",z
4,,w
5,[bad,v
6,a;;b,u
EOF2
	run pmap --explode 2 --sep ';;' -H "$f"
	assert_line --index 11 '6,a,u'
	assert_line --index 12 '6,b,u'
}

@test "--explode against Python's json on random arrays, every -j" {
	f=$BATS_TEST_TMPDIR/j.csv
	python3 - "$f" "$BATS_TEST_TMPDIR/want.csv" <<'PY'
import csv, json, random, sys
rng = random.Random(30)
def val(d=0):
    r = rng.random()
    if r < 0.3: return "".join(rng.choice('ab", \\\u00e9\n\t/') for _ in range(rng.randint(0, 5)))
    if r < 0.5: return rng.randint(-99, 99)
    if r < 0.6: return rng.choice([None, True, False, 1.5e3])
    if r < 0.7 and d < 2: return [val(d + 1) for _ in range(rng.randint(0, 3))]
    if d < 2: return {"k%d" % i: val(d + 1) for i in range(rng.randint(0, 2))}
    return "x"
def cell(v):
    if v is None: return ""
    if isinstance(v, str): return v
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
with open(sys.argv[1], "w", newline="") as a, open(sys.argv[2], "w", newline="") as b:
    wa, wb = csv.writer(a, lineterminator="\n"), csv.writer(b, lineterminator="\n")
    wa.writerow(["id", "arr"]); wb.writerow(["id", "arr"])
    for i in range(300):
        arr = [val() for _ in range(rng.randint(0, 4))]
        wa.writerow([i, json.dumps(arr, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 1]))])
        for v in arr or [None]:
            wb.writerow([i, cell(v)])
PY
	same_for_all_jobs pmap --explode arr "$f"
	assert_success
	assert_csv_rows "$BATS_TEST_TMPDIR/want.csv"
}

@test "--explode: only what Python's json reads as an array explodes; all else is cut at --sep" {
	# Arrays with bytes deleted, inserted, replaced: what json.loads
	# (no NaN or Infinity) reads as an array goes by element, numbers as
	# written, containers compact; anything else (85u, [tru], [1,]) is
	# cut at ','.
	f=$BATS_TEST_TMPDIR/m.csv
	python3 - "$f" "$BATS_TEST_TMPDIR/want.csv" <<'PY'
import csv, json, random, re, sys
rng = random.Random(31)
class Num(str): pass
class Obj(list): pass
def bad(s): raise ValueError(s)
def fix(s): return re.sub("[\ud800-\udfff]", "\ufffd", s)
def dump(v):
    if isinstance(v, Num): return str(v)
    if isinstance(v, str): return json.dumps(fix(v), ensure_ascii=False)
    if isinstance(v, Obj): return "{" + ",".join(dump(k) + ":" + dump(x) for k, x in v) + "}"
    if isinstance(v, list): return "[" + ",".join(dump(x) for x in v) + "]"
    return json.dumps(v)
def cell(v):
    if v is None: return ""
    if isinstance(v, str) and not isinstance(v, Num): return fix(v)
    return dump(v)
def val(d=0):
    r = rng.random()
    if r < 0.3: return "".join(rng.choice('ab", \\\u00e9\n/\x01\U0001F600') for _ in range(rng.randint(0, 4)))
    if r < 0.5: return rng.choice([-7, 0, 12, 1.5e3, -0.25, 1e-7])
    if r < 0.6: return rng.choice([None, True, False])
    if r < 0.8 and d < 2: return [val(d + 1) for _ in range(rng.randint(0, 3))]
    if d < 2: return {"k%d" % i: val(d + 1) for i in range(rng.randint(0, 2))}
    return "x"
with open(sys.argv[1], "w", newline="") as a, open(sys.argv[2], "w", newline="") as b:
    wa, wb = csv.writer(a, lineterminator="\n"), csv.writer(b, lineterminator="\n")
    wa.writerow(["id", "arr"]); wb.writerow(["id", "arr"])
    for i in range(400):
        t = list(json.dumps([val() for _ in range(rng.randint(0, 4))],
                            ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 1])))
        for _ in range(rng.randint(0, 2)):
            k = rng.randrange(len(t) + 1)
            c = rng.random()
            if c < 0.4 and k < len(t): del t[k]
            elif c < 0.8: t.insert(k, rng.choice(['[', ']', '{', '}', ',', ':', '"', '\\', ' ', 'u', '0', 'e', '-', '.', 'tru', 'null']))
            elif k < len(t): t[k] = rng.choice('"\\[]{},u')
        t = "".join(t)
        wa.writerow([i, t])
        try:
            v = json.loads(t, parse_int=Num, parse_float=Num, parse_constant=bad, object_pairs_hook=Obj)
        except ValueError:
            v = None
        if isinstance(v, list) and not isinstance(v, Obj):
            for x in v or [None]:
                wb.writerow([i, cell(x)])
        else:
            for part in t.split(","):
                wb.writerow([i, part])
PY
	same_for_all_jobs pmap --explode arr "$f"
	assert_success
	assert_csv_rows "$BATS_TEST_TMPDIR/want.csv"
}

@test "--melt: the other fields, then name and value; empties kept" {
	f=$(mkinput w.csv <<<$'id,a,b,c\n1,x,,3\n2,y,5,6')
	same_for_all_jobs pmap --melt 'c,{a}' "$f"
	assert_output $'id,b,name,value\n1,,c,3\n1,,a,x\n2,5,c,6\n2,5,a,y'
	run pmap --melt a --ojsonl "$f"
	assert_line --index 0 '{"id":1,"b":"","c":3,"name":"a","value":"x"}'
}

@test "melt then pivot gives the input back, at every -j" {
	f=$BATS_TEST_TMPDIR/wide.csv
	python3 - "$f" <<'PY'
import csv, random, sys
rng = random.Random(31)
with open(sys.argv[1], "w", newline="") as o:
    w = csv.writer(o, lineterminator="\n")
    w.writerow(["id", "k", "x", "y z", "w"])
    for i in range(500):
        w.writerow([i, rng.choice("abc"), *(rng.choice(["", "1", "-2.5", "q,r", 'say "hi"', "t\nu"]) for _ in range(3))])
PY
	pmap --melt 'x,y z,w' "$f" >"$BATS_TEST_TMPDIR/long.csv"
	same_for_all_jobs preduce -k id,k --pivot name first:value "$BATS_TEST_TMPDIR/long.csv"
	# first:value skips empty values: an empty cell comes back empty
	assert_output "$(cat "$f")"
}

@test "--pivot: columns in order of first appearance, cells by AGG" {
	f=$(mkinput l.csv <<<$'k,m,v\nb,jan,1\na,feb,2\nb,feb,3\nb,jan,4\na,mar,x')
	same_for_all_jobs preduce -k k --pivot m sum:v "$f"
	assert_output $'k,jan,feb,mar\nb,5,3,\na,,2,'
	assert_equal "$stderr" "preduce: 1 non-numeric value skipped"
	run preduce --pivot m count "$f"
	assert_output $'jan,feb,mar\n2,2,1'
	run preduce -k k --pivot m count "$(mkinput h.csv <<<'k,m,v')"
	assert_output 'k'
}

@test "reshaping usage errors (status 2)" {
	f=$(mkinput w.csv <<<$'id,a\n1,x')
	run pmap --explode nope "$f"
	assert_failure 2
	assert_line --partial "unknown field 'nope' in --explode"
	run pmap --melt a,nope "$f"
	assert_failure 2
	run pmap --explode a --melt a "$f"
	assert_failure 2
	assert_line --partial 'exclude each other'
	run pmap --melt a --sep ';' "$f"
	assert_failure 2
	run pmap --explode a -- cat
	assert_failure 2
	assert_line --partial 'not for command mode'
	run preduce -k id --pivot a count sum:id "$f"
	assert_failure 2
	assert_line --partial 'takes one AGG'
	run preduce -k id --pivot a p90:id "$f"
	assert_failure 2
	run preduce -k id --pivot a --partial count "$f"
	assert_failure 2
	run preduce -k id --pivot nope count "$f"
	assert_failure 2
}

@test "against DuckDB's UNPIVOT and PIVOT (skipped without DuckDB)" {
	local q=$DUCKDB_QUERY
	[ -n "$q" ] || skip "DuckDB is absent (scripts/install-duckdb.sh)"
	f=$BATS_TEST_TMPDIR/w.csv
	awk 'BEGIN { srand(32); print "id,a,b,c"; for (i = 1; i <= 400; i++) {
		printf "%d", i; for (j = 0; j < 3; j++) { r = rand(); printf ",%s", r < 0.2 ? "" : int(r * 100) }
		print "" } }' >"$f"
	# empty as '', not NULL: UNPIVOT keeps it (pmap --melt keeps empties)
	local w="WITH w AS (SELECT id, coalesce(a, '') AS a, coalesce(b, '') AS b, coalesce(c, '') AS c FROM read_csv('$f', all_varchar = true)), l AS (UNPIVOT w ON a, b, c INTO NAME name VALUE value)"
	run --separate-stderr node "$q" "$w SELECT id, name, value FROM l ORDER BY TRY_CAST(id AS INTEGER), name"
	[ "$status" -eq 0 ] || skip "DuckDB failed: $stderr"
	local want=$output
	same_for_all_jobs pmap --melt a,b,c "$f"
	assert_output "$want"
	run --separate-stderr node "$q" "$w SELECT * FROM (PIVOT (SELECT id, name, TRY_CAST(value AS BIGINT) AS value FROM l) ON name USING sum(value) GROUP BY id) ORDER BY TRY_CAST(id AS INTEGER)"
	[ "$status" -eq 0 ] || skip "DuckDB failed: $stderr"
	want=$output
	pmap --melt a,b,c "$f" >"$BATS_TEST_TMPDIR/long.csv"
	same_for_all_jobs preduce -k id --pivot name sum:value "$BATS_TEST_TMPDIR/long.csv"
	assert_output "$want"
}
