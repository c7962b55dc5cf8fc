#!/usr/bin/env bats
# ptakesort without -n: the whole input in key order, stable, in bounded
# memory. References: sort -s (per class of value), Python's csv module
# and sorted(), DuckDB when it is installed, and ptakesort -n HUGE.
# Spilling (--memory), temporary files (-T), signals and a full disk.

load helper

# gen_plain FILE N SEED: unquoted CSV "id,k,s,n": k a number (with many
# ties), empty or a word; s a short word; n a small integer.
gen_plain() {
	python3 - "$@" <<'PY'
import random, sys
path, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(seed)
with open(path, 'w') as f:
    f.write('id,k,s,n\n')
    for i in range(n):
        r = rnd.random()
        if r < 0.06:
            k = ''
        elif r < 0.12:
            k = rnd.choice(['x', 'abc', '-', 'n/a', 'zz', 'Abc'])
        elif r < 0.7:
            k = str(rnd.randint(-40, 40))
        else:
            k = '%.2f' % rnd.uniform(-50, 50)
        s = rnd.choice(['a', 'b', 'ab', 'ba', 'c', 'B']) + str(rnd.randint(0, 3))
        f.write(f'{i},{k},{s},{rnd.randint(0, 9)}\n')
PY
}

# class_sort FILE FIELD [r]: the documented order of a :num key with
# mixed values, from sort -s: numbers (sort -n), then the other
# non-empty values (bytes), then empty values, each class in input order
# on ties; with r, numbers and strings reversed, empty values still last.
class_sort() {
	local f=$1 k=$2 r=${3:-}
	head -n 1 "$f"
	tail -n +2 "$f" | awk -F, -v k="$k" '$k ~ /^-?[0-9]+(\.[0-9]+)?$/' |
	    LC_ALL=C sort -s -t, -k"$k,$k"n"$r"
	tail -n +2 "$f" | awk -F, -v k="$k" '$k != "" && $k !~ /^-?[0-9]+(\.[0-9]+)?$/' |
	    LC_ALL=C sort -s -t, -k"$k,$k$r"
	tail -n +2 "$f" | awk -F, -v k="$k" '$k == ""'
}

setup() {
	PLAIN=$BATS_TEST_TMPDIR/plain.csv
	gen_plain "$PLAIN" 3000 7
	TMPD=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$TMPD"
}

@test "a mixed key under :num: numbers, then words, then empty values; as sort -s" {
	class_sort "$PLAIN" 2 >"$BATS_TEST_TMPDIR/want"
	same_for_all_jobs ptakesort -k k:num "$PLAIN"
	assert_success
	assert_output "$(cat "$BATS_TEST_TMPDIR/want")"
	run ptakesort -k k:num --memory 1K -T "$TMPD" "$PLAIN"
	assert_output "$(cat "$BATS_TEST_TMPDIR/want")"
	class_sort "$PLAIN" 2 r >"$BATS_TEST_TMPDIR/want"
	same_for_all_jobs ptakesort -k k:num:desc "$PLAIN"
	assert_output "$(cat "$BATS_TEST_TMPDIR/want")"
	run ptakesort -k k:desc:num -j3 --memory 2K -T "$TMPD" "$PLAIN"
	assert_output "$(cat "$BATS_TEST_TMPDIR/want")"
}

@test "a mixed key without :num compares as bytes, empty values last; as sort -s" {
	local want
	want=$(head -n 1 "$PLAIN"
	    tail -n +2 "$PLAIN" | awk -F, '$2 != ""' | LC_ALL=C sort -s -t, -k2,2
	    tail -n +2 "$PLAIN" | awk -F, '$2 == ""')
	same_for_all_jobs ptakesort -k k "$PLAIN"
	assert_output "$want"
	run ptakesort -k k --memory 1K -T "$TMPD" "$PLAIN"
	assert_output "$want"
	want=$(head -n 1 "$PLAIN"
	    tail -n +2 "$PLAIN" | awk -F, '$2 != ""' | LC_ALL=C sort -s -t, -k2,2r
	    tail -n +2 "$PLAIN" | awk -F, '$2 == ""')
	same_for_all_jobs ptakesort -k k:desc "$PLAIN"
	assert_output "$want"
	run ptakesort -k k:desc -j4 --memory 1K -T "$TMPD" "$PLAIN"
	assert_output "$want"
}

@test "numeric keys, :str keys and several keys with :desc, against sort -s" {
	local want
	want=$(head -n 1 "$PLAIN"; tail -n +2 "$PLAIN" | LC_ALL=C sort -s -t, -k4,4nr)
	same_for_all_jobs ptakesort -k n:desc "$PLAIN"
	assert_output "$want"
	want=$(head -n 1 "$PLAIN"; tail -n +2 "$PLAIN" | LC_ALL=C sort -s -t, -k3,3 -k4,4nr)
	same_for_all_jobs ptakesort -k s:str,n:num:desc "$PLAIN"
	assert_output "$want"
	run ptakesort -k s:str,n:num:desc --memory 1K -T "$TMPD" "$PLAIN"
	assert_output "$want"
	want=$(head -n 1 "$PLAIN"; tail -n +2 "$PLAIN" | LC_ALL=C sort -s -t, -k3,3r -k4,4n)
	run ptakesort -k s:desc,n -j4 --chunk 256 --memory 4K -T "$TMPD" "$PLAIN"
	assert_output "$want"
	# A key column that is all numbers but sorted as text.
	want=$(head -n 1 "$PLAIN"; tail -n +2 "$PLAIN" | LC_ALL=C sort -s -t, -k1,1)
	run ptakesort -k id:str --memory 1K -T "$TMPD" "$PLAIN"
	assert_output "$want"
}

@test "exact single keys (the radix sort): ties in input order, one value, spilled or not, against sort -s" {
	local want want_s m j one=$BATS_TEST_TMPDIR/one.csv
	# small integers and short words decide the order by their hints
	want=$(head -n 1 "$PLAIN"; tail -n +2 "$PLAIN" | LC_ALL=C sort -s -t, -k4,4n)
	want_s=$(head -n 1 "$PLAIN"; tail -n +2 "$PLAIN" | LC_ALL=C sort -s -t, -k3,3r)
	for m in 2K 64K 256M; do
		for j in 1 2 4; do
			run ptakesort -k n -j$j --chunk 256 --memory $m -T "$TMPD" "$PLAIN"
			assert_output "$want"
			run ptakesort -k s:desc -j$j --chunk 256 --memory $m -T "$TMPD" "$PLAIN"
			assert_output "$want_s"
		done
	done
	# every key the same: the input order
	awk -F, -v OFS=, '{ $2 = NR == 1 ? "k" : 7; print }' "$PLAIN" > "$one"
	for m in 2K 256M; do
		run ptakesort -k k:desc -j2 --chunk 256 --memory $m -T "$TMPD" "$one"
		assert_output "$(cat "$one")"
	done
}

@test "the whole sort is -n HUGE, byte for byte, for every --memory and -j" {
	local want m j
	want=$(ptakesort -n 100000000 -k k,s:desc "$PLAIN")
	for m in 1 1K 64K 256M; do
		for j in 1 2 4; do
			run ptakesort -k k,s:desc -j$j --chunk 512 --memory $m \
			    -T "$TMPD" "$PLAIN"
			assert_success
			assert_output "$want"
		done
	done
	run ls -A "$TMPD"
	assert_output ''
}

@test "runs sorted again hold any worker's largest record (it failed 3 times in 20 with 'File too large')" {
	local f=$BATS_TEST_TMPDIR/big.csv want i
	python3 -c '
print("k,v")
for i in range(300):
    print(f"{i % 50}," + ("z" * 400 if i in (37, 101, 170, 233) else "x"))
print("word,last")' >"$f"
	want=$(head -n 1 "$f"; tail -n +2 "$f" | LC_ALL=C sort -s -t, -k1,1)
	for i in $(seq 30); do
		run ptakesort -k k -j2 --chunk 64 --memory 1 -T "$TMPD" "$f"
		assert_success
		assert_equal "$output" "$want"
	done
	run ls -A "$TMPD"
	assert_output ''
}

@test "a key seen as a string only after runs were spilled sorts them again" {
	local f=$BATS_TEST_TMPDIR/late.csv want
	python3 -c '
import random
r = random.Random(3)
print("k,v")
for i in range(4000):
    print(f"{r.randint(0, 120)},{i}")
print("word,last")
print("7,after")' >"$f"
	want=$(ptakesort -k k "$f")
	# As text: "100" < "7" < "word".
	assert_equal "$(head -n 2 <<<"$want" | tail -n 1 | cut -d, -f1)" 0
	assert_equal "$(tail -n 1 <<<"$want")" 'word,last'
	assert_equal "$want" "$(head -n 1 "$f"; tail -n +2 "$f" | LC_ALL=C sort -s -t, -k1,1)"
	for j in 1 3; do
		run ptakesort -k k -j$j --chunk 200 --memory 1K -T "$TMPD" "$f"
		assert_output "$want"
	done
	run ls -A "$TMPD"
	assert_output ''
}

@test "quoted, multi-line records against Python's csv module and sorted()" {
	local f=$BATS_TEST_TMPDIR/quoted.csv
	python3 - "$f" >"$BATS_TEST_TMPDIR/want" <<'PY'
import csv, io, random, sys
r = random.Random(11)
words = ['plain', 'with, comma', 'two\nlines', 'a "quote"', '', ' lead', 'é',
         'CRLF\r\ninside']
rows = []
for i in range(1500):
    k = r.choice([str(r.randint(-9, 9)), '%.1f' % r.uniform(-9, 9), ''])
    rows.append([str(i), r.choice(words), k, r.choice(words)])
buf = io.StringIO()
w = csv.writer(buf, lineterminator='\n')
w.writerow(['id', 'text', 'k', 'more'])
w.writerows(rows)
open(sys.argv[1], 'w', newline='').write(buf.getvalue())
# Read it back with the csv module; raw records are re-written the same
# way (minimal quoting), and sorted stably: numbers, then empty values.
back = list(csv.reader(io.StringIO(buf.getvalue(), newline='')))
body = back[1:]
def key(row):
    return (1, 0) if row[2] == '' else (0, float(row[2]))
out = io.StringIO()
w = csv.writer(out, lineterminator='\n')
w.writerow(back[0])
w.writerows(sorted(body, key=key))
# Then by "text" descending as bytes, ties by k ascending.
def key2(row):
    return row[1].encode()
body2 = sorted(sorted(body, key=key), key=key2, reverse=True)
# reverse=True keeps stability in Python; empty text last.
body2 = [x for x in body2 if x[1] != ''] + [x for x in body2 if x[1] == '']
w.writerow(['--'])
w.writerows(body2)
sys.stdout.write(out.getvalue())
PY
	local want1 want2
	want1=$(sed '/^--$/,$d' "$BATS_TEST_TMPDIR/want")
	want2=$(head -n 1 "$f"; sed '1,/^--$/d' "$BATS_TEST_TMPDIR/want")
	same_for_all_jobs ptakesort -k k "$f"
	assert_output "$want1"
	run ptakesort -k k --memory 1K -T "$TMPD" "$f"
	assert_output "$want1"
	same_for_all_jobs ptakesort -k text:desc,k "$f"
	assert_output "$want2"
	run ptakesort -k text:desc,k -j2 --memory 3K -T "$TMPD" "$f"
	assert_output "$want2"
}

@test "against DuckDB's ORDER BY (skipped without DuckDB)" {
	local q=$DUCKDB_QUERY
	[ -n "$q" ] || skip "DuckDB is absent (scripts/install-duckdb.sh)"
	run --separate-stderr node "$q" "SELECT id FROM read_csv('$PLAIN', all_varchar = true) ORDER BY TRY_CAST(n AS INTEGER) DESC, s, TRY_CAST(id AS INTEGER)"
	[ "$status" -eq 0 ] || skip "DuckDB failed: $stderr"
	local want=$output
	run ptakesort -k n:desc,s:str --memory 2K -T "$TMPD" "$PLAIN"
	assert_success
	assert_equal "$(cut -d, -f1 <<<"$output")" "$want"
}

@test "expression keys and another output format, spilled or not" {
	local want
	want=$(ptakesort -n 99999 -k 'len(s) * 10 - n:desc,id:num' --otsv "$PLAIN")
	same_for_all_jobs ptakesort -k 'len(s) * 10 - n:desc,id:num' --otsv "$PLAIN"
	assert_output "$want"
	run ptakesort -k 'len(s) * 10 - n:desc,id:num' --otsv --memory 1K -T "$TMPD" "$PLAIN"
	assert_output "$want"
	want=$(ptakesort -n 99999 -k 'upper(s)' --ojsonl "$PLAIN")
	run ptakesort -k 'upper(s)' --ojsonl --memory 1 -T "$TMPD" "$PLAIN"
	assert_output "$want"
}

@test "empty input, header only, no header, one record" {
	run ptakesort -k a "$(mkinput h.csv <<<'a,b')"
	assert_success
	assert_output 'a,b'
	run ptakesort -k a </dev/null
	assert_success
	assert_output ''
	run ptakesort -H -k 2:desc --memory 1 -T "$TMPD" "$(mkinput n.csv < <(printf '1,b\n2,c\n3,a\n'))"
	assert_output $'2,c\n1,b\n3,a'
	run ptakesort -k a --memory 1 -T "$TMPD" "$(mkinput one.csv < <(printf 'a\nx'))"
	assert_output $'a\nx'
}

@test "no temporary file remains after SIGTERM in the middle of a run" {
	local fifo=$BATS_TEST_TMPDIR/in pid st=0
	mkfifo "$fifo"
	ptakesort -k k --memory 1K -T "$TMPD" <"$fifo" >/dev/null 2>&1 3>&- &
	pid=$!
	{
		cat "$PLAIN"
		sleep 2
	} >"$fifo" 2>/dev/null 3>&- &
	sleep 1
	kill -TERM "$pid"
	wait "$pid" || st=$?
	assert_equal "$st" 143
	run ls -A "$TMPD"
	assert_output ''
	wait
}

@test "an unusable -T is a usage error before any input is read" {
	run --separate-stderr timeout 10 ptakesort -k k -T "$BATS_TEST_TMPDIR/none" < <(yes 1)
	assert_equal "$status" 2
	assert_equal "$stderr" "ptakesort: -T $BATS_TEST_TMPDIR/none: cannot make a temporary file there: No such file or directory"
	run --separate-stderr ptakesort -k k -T "$PLAIN" "$PLAIN"
	assert_equal "$status" 2
	assert_equal "$stderr" "ptakesort: -T $PLAIN: cannot make a temporary file there: Not a directory"
	# TMPDIR is the default; -n needs no temporary directory.
	TMPDIR=$BATS_TEST_TMPDIR/none run -2 ptakesort -k k "$PLAIN"
	TMPDIR=$BATS_TEST_TMPDIR/none run -0 ptakesort -n 1 -k k "$PLAIN"
	local ro=$BATS_TEST_TMPDIR/ro
	mkdir "$ro"
	mount -t tmpfs -o ro,size=64k tmpfs "$ro" 2>/dev/null || skip "cannot mount a read-only tmpfs"
	run --separate-stderr ptakesort -k k -T "$ro" "$PLAIN"
	umount "$ro"
	assert_equal "$status" 2
	assert_equal "$stderr" "ptakesort: -T $ro: cannot make a temporary file there: Read-only file system"
}

@test "a full disk: status 1, a message naming the directory, nothing left" {
	local full=$BATS_TEST_TMPDIR/full
	mkdir "$full"
	mount -t tmpfs -o size=64k tmpfs "$full" 2>/dev/null || skip "cannot mount a tmpfs"
	run --separate-stderr ptakesort -k k --memory 1K -T "$full" "$PLAIN"
	local left
	left=$(ls -A "$full"; df --output=used -k "$full" | tail -n 1 | tr -d ' ')
	umount "$full"
	assert_equal "$status" 1
	assert_output 'id,k,s,n'
	assert_regex "$stderr" "^ptakesort: .*plain.csv:[0-9]+ \(record [0-9]+\): cannot write a temporary file in $full: No space left on device\$"
	assert_equal "$left" 0
}

@test "--memory and -T: bad values are usage errors; -T on a -n run is unused" {
	run -2 ptakesort -k k --memory 0 "$PLAIN"
	run -2 ptakesort -k k --memory 12Q "$PLAIN"
	run -2 ptakesort -k k -T '' "$PLAIN"
	run -0 ptakesort -k k --memory 1G --temporary-directory "$TMPD" "$PLAIN"
	run -0 ptakesort -n 3 -k k -T "$BATS_TEST_TMPDIR/none" "$PLAIN"
}
