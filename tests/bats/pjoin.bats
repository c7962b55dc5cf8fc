#!/usr/bin/env bats
# pjoin: a hash join with a table held in memory, against a Python oracle
# (inner, left, anti, semi; duplicate, empty, quoted and multi-line keys;
# STREAMKEY=TABLEKEY, --ignore-case) and at every -j.

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
	assert_output '{"code":"b","v":"1"}
{"code":"a","v":"2"}'
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
	assert_equal "$stderr" "pjoin: $T is larger than --memory (100 bytes): partition both sides with ppartition -k KEY -n N and join the parts pairwise (see pflow(7))"
	run --separate-stderr pjoin --left --anti -k k "$T" "$S"
	assert_failure 2
	bad=$(mkinput bad.csv < <(printf 'code,v\na,1\nb\n'))
	run --separate-stderr pjoin -k k=code "$bad" "$S"
	assert_failure 1
	assert_equal "${stderr_lines[0]}" "pjoin: $bad:3 (record 2): too few fields"
}
