#!/usr/bin/env bats
# ppartition: hash partitions to files, --by-value files, command mode.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
}

# The partition `xxhsum -H1` predicts for the bytes of $1 among $2.
xxh_mod() {
	local hex hi lo
	hex=$(printf '%b' "$1" | xxhsum -H1 | cut -d' ' -f1)
	hi=$((16#${hex:0:8}))
	lo=$((16#${hex:8:8}))
	echo $(( ((hi % $2) * (4294967296 % $2) + lo % $2) % $2 ))
}

# Prints each file named, preceded by "== name".
show() {
	local f
	for f in "$@"; do
		echo "== $f"
		cat "$f"
	done
}

# Runs the Nth literal block of the man page's EXAMPLES in a fresh
# directory beside data/ (the real sample data, as the page says): its
# "$ " lines are the commands, the other lines their expected output.
man_example() {
	local page=$PFLOW_SOURCE/man/ppartition.1.in dir=$BATS_TEST_TMPDIR/ex$1
	mkdir -p "$dir"
	ln -s "$PFLOW_SOURCE/data" "$dir/data"
	awk -v want="$1" '
		/^\.Sh EXAMPLES/ { ex = 1 }
		ex && /^\.Bd -literal/ { n++; inblock = n == want; next }
		inblock && /^\.Ed/ { inblock = 0 }
		inblock {
			gsub(/\\e/, "\\"); gsub(/\\&/, "")
			if (substr($0, 1, 2) == "$ ")
				print substr($0, 3) > "script"
			else
				print > "expected"
		}' "$page"
	mv script expected "$dir/" 2>/dev/null || true
	touch "$dir/expected"
	cd "$dir"
	run bash -e script
	assert_success
	assert_output "$(cat expected)"
}

@test "-o: partition i = XXH64(key) mod N to PATTERN {} = i, header in each" {
	in=$(mkinput in.csv < <(printf 'k,v\nATL,1\nBOS,2\nDEN,3\nATL,4\nSFO,5\n'))
	run ppartition -k k -n 3 -o 'p-{}.csv' "$in"
	assert_success
	assert_output ""
	run show p-0.csv p-1.csv p-2.csv
	assert_output "== p-0.csv
k,v
== p-1.csv
k,v
ATL,1
ATL,4
SFO,5
== p-2.csv
k,v
BOS,2
DEN,3"
}

@test "the partition agrees with xxhsum -H1, for one key and for two (0x1f)" {
	run ppartition -k origin -n 7 -o 'o-{}.csv' "$DATA/flights.csv"
	assert_success
	for key in ATL BOS DEN DFW JFK LAX ORD PHX SEA SFO; do
		i=$(xxh_mod "$key" 7)
		run grep -c ",$key,[A-Z]*\$" "o-$i.csv"
		[ "$output" -gt 0 ]
		for f in o-*.csv; do
			[ "$f" = "o-$i.csv" ] || ! grep -q ",$key,[A-Z]*\$" "$f"
		done
	done
	in=$(mkinput two.csv < <(printf 'a,b\nx,y\nATL,BOS\n,\n'))
	run ppartition -k a,b -n 5 -o 't-{}.csv' "$in"
	assert_success
	for pair in 'x y' 'ATL BOS' ' '; do
		set -- $pair
		i=$(xxh_mod "${1}\x1f${2}" 5)
		grep -qx "${1},${2}" "t-$i.csv"
	done
	# ...and as many partitions as a uint64 can tell apart.
	i=$(xxh_mod "ATL" 4099)
	run ppartition -k 1 -n 4099 -o 'big/{}' < <(printf 'k\nATL\n')
	assert_success
	assert_equal "$(cat "big/$i")" "$(printf 'k\nATL')"
	assert_equal "$(ls big | wc -l)" 4099
}

@test "the union of all partitions is the input, each file in input order" {
	run ppartition -k destination,delay -n 5 -o 'u-{}.csv' "$DATA/flights.csv"
	assert_success
	assert_equal "$(tail -q -n +2 u-*.csv | sort)" \
	    "$(tail -n +2 "$DATA/flights.csv" | sort)"
	for f in u-*.csv; do
		assert_equal "$(head -1 "$f")" "$(head -1 "$DATA/flights.csv")"
		# input order: the records of f are a subsequence of the input
		assert_equal "$(grep -Fxf "$f" "$DATA/flights.csv")" "$(cat "$f")"
	done
}

@test "-j1 and -j4 with tiny batches write identical files" {
	ppartition -j1 -k origin -n 4 -o 'a-{}.csv' "$DATA/flights.csv"
	ppartition -j4 --chunk 64 --queue 5 -k origin -n 4 -o 'b-{}.csv' \
	    "$DATA/flights.csv"
	for i in 0 1 2 3; do
		cmp "a-$i.csv" "b-$i.csv"
	done
	ppartition -j1 --by-value -k 'substr(date, 1, 9)' -o 'c-{}.csv' \
	    "$DATA/flights.csv"
	ppartition -j4 --chunk 64 --queue 5 --max-open 2 --by-value \
	    -k 'substr(date, 1, 9)' -o 'd-{}.csv' "$DATA/flights.csv"
	assert_equal "$(ls c-*.csv | wc -l)" 4
	for f in c-*.csv; do
		cmp "$f" "d-${f#c-}"
	done
}

@test "keys of 0 to 24 bytes, and keys one byte apart, agree with xxhsum -H1" {
	local abc=abcdefghijklmnopqrstuvwxy keys=() key len i j f r
	for len in $(seq 0 24); do
		keys+=("${abc:0:len}")
		[ "$len" -eq 0 ] || keys+=("${abc:0:len-1}Z")
		[ "$len" -lt 2 ] || keys+=("Z${abc:1:len-1}")
	done
	for r in 1 2 3; do
		for key in "${keys[@]}"; do
			echo "$key,$r"
		done
	done | { echo k,r; cat; } >in.csv
	for j in 1 4; do
		run ppartition -j$j --chunk 64 -k k -n 5 -o "j$j/{}.csv" in.csv
		assert_success
	done
	for key in "${keys[@]}"; do
		i=$(xxh_mod "$key" 5)
		assert_equal "$(grep -c "^$key," "j1/$i.csv")" 3
		assert_equal "$(cat j1/*.csv | grep -c "^$key,")" 3
	done
	for f in j1/*.csv; do
		cmp "$f" "j4/${f#j1/}"
	done
}

@test "-j4 in tiny batches writes what -j1 writes: --ojsonl, --broadcast, a huge record" {
	{
		echo 'k,v'
		for i in $(seq 1 300); do echo "k$((i % 13)),\"v$i\"\"x\""; done
		printf 'big,%0100000d\n' 7
		for i in $(seq 1 300); do echo "k$((i % 7)),$i"; done
	} >in.csv
	for j in 1 4; do
		ppartition -j$j --chunk 64 --queue 5 --ojsonl -k 'k . "x"' -n 3 \
		    -o "js$j-{}.jsonl" in.csv
		ppartition -j$j --chunk 64 --queue 5 --broadcast -n 3 \
		    -o "b$j-{}.csv" in.csv
		ppartition -j$j --chunk 64 --queue 5 -k v -n 4 -o "v$j-{}.csv" \
		    in.csv
	done
	for i in 0 1 2; do
		cmp "js1-$i.jsonl" "js4-$i.jsonl"
		cmp "b1-$i.csv" in.csv
		cmp "b4-$i.csv" in.csv
	done
	for i in 0 1 2 3; do
		cmp "v1-$i.csv" "v4-$i.csv"
	done
	assert_equal "$(cat js1-*.jsonl | sort)" \
	    "$(pfilter --ojsonl true in.csv | sort)"
	assert_equal "$(tail -q -n +2 v4-*.csv | sort)" \
	    "$(tail -n +2 in.csv | sort)"
}

@test "awkward CSV goes through byte for byte: quotes, newlines, CRLF, BOM" {
	in=$(mkinput aw.csv < <(printf '\xef\xbb\xbfk,v\r\n"a,1","x\r\ny"\r\n"a,1",\r\n,"q""q"\r\nb,last'))
	for j in 1 4; do
		run ppartition -j$j --chunk 64 -k k -n 2 -o "j$j-{}.csv" "$in"
		assert_success
	done
	# the three keys all fall in partition 1
	assert_equal "$(xxh_mod 'a,1' 2)$(xxh_mod '' 2)$(xxh_mod b 2)" 111
	assert_equal "$(cat -A j1-0.csv)" 'k,v$'
	assert_equal "$(cat -A j1-1.csv)" 'k,v$
"a,1","x^M$
y"$
"a,1",$
,"q""q"$
b,last$'
	cmp j1-0.csv j4-0.csv
	cmp j1-1.csv j4-1.csv
}

@test "--otsv and --ojsonl re-serialize the records" {
	in=$(mkinput f.csv < <(printf 'k,v\nx,"a\tb"\nx,2\n'))
	run ppartition --otsv -k k -n 1 -o 'f-{}.tsv' "$in"
	assert_success
	assert_equal "$(cat f-0.tsv)" "$(printf 'k\tv\nx\ta\\tb\nx\t2')"
	run ppartition --ojsonl -k k -n 1 -o 'f-{}.jsonl' "$in"
	assert_equal "$(cat f-0.jsonl)" '{"k":"x","v":"a\tb"}
{"k":"x","v":2}'
}

@test "-H: no header, keys by position; --tsv and --lines input" {
	in=$(mkinput h.csv < <(printf 'ATL,1\nBOS,2\n'))
	run ppartition -H -k 1 -n 2 -o 'h-{}.csv' "$in"
	assert_success
	assert_equal "$(cat "h-$(xxh_mod ATL 2).csv")" "ATL,1"
	in=$(mkinput t.tsv < <(printf 'a b\tn\nATL\t1\n'))
	run ppartition --tsv -k 'a b' -n 1 -o 't-{}.tsv' "$in"
	assert_equal "$(cat t-0.tsv)" "$(printf 'a b\tn\nATL\t1')"
	in=$(mkinput l.txt < <(printf 'ATL x\n\nBOS\n'))
	run ppartition --lines -k '$0' -n 2 -o 'l-{}.txt' "$in"
	assert_success
	assert_equal "$(grep -c '^$' "l-$(xxh_mod '' 2).txt")" 1
	assert_equal "$(cat l-*.txt | sort)" "$(printf '\nATL x\nBOS' | sort)"
}

@test "keys: expressions, positions and names that are not identifiers" {
	in=$(mkinput e.csv < <(printf 'name,elevation ft\nAtl,1\natl,2\nBOS,3\n'))
	run ppartition -k 'lower(name)' -n 2 -o 'e-{}.csv' "$in"
	assert_success
	assert_equal "$(grep -ic '^atl,' "e-$(xxh_mod atl 2).csv")" 2
	run ppartition -k 'elevation ft,1' -n 3 -o 'n-{}.csv' "$in"
	assert_success
	grep -qx 'Atl,1' "n-$(xxh_mod '1\x1fAtl' 3).csv"
}

@test "--by-value: one file per value, names made safe, header in each" {
	in=$(mkinput v.csv < <(printf 'k,v\na/b,1\n..,2\n,3\nx y%%,4\na/b,5\n.hid,6\nok-1.x_Y,7\n'))
	run ppartition --by-value -k k -o 'v-{}.csv' "$in"
	assert_success
	run show v-*
	assert_output "== v-%2E..csv
k,v
..,2
== v-%2Ehid.csv
k,v
.hid,6
== v-%empty.csv
k,v
,3
== v-a%2Fb.csv
k,v
a/b,1
a/b,5
== v-ok-1.x_Y.csv
k,v
ok-1.x_Y,7
== v-x%20y%25.csv
k,v
x y%,4"
}

@test "--by-value truncates files from before the run; --max-open reopens to append" {
	echo "old content" > v-a.csv
	in=$(mkinput m.csv < <(printf 'k,v\na,1\nb,2\nc,3\na,4\nb,5\nc,6\na,7\n'))
	run ppartition -j1 --chunk 1 --by-value --max-open 1 -k k -o 'v-{}.csv' "$in"
	assert_success
	run show v-*.csv
	assert_output "== v-a.csv
k,v
a,1
a,4
a,7
== v-b.csv
k,v
b,2
b,5
== v-c.csv
k,v
c,3
c,6"
}

@test "--by-value: 20000 values with --max-open 16" {
	seq 1 60000 | awk 'BEGIN { print "k,n" } { print $1 % 20000 "," $1 }' >in.csv
	mkdir out
	run /usr/bin/time -f '%M' ppartition --by-value --max-open 16 -k k -o 'out/{}' in.csv
	assert_success
	assert_equal "$(ls out | wc -l)" 20000
	assert_equal "$(cat out/7)" "$(printf 'k,n\n7,7\n7,20007\n7,40007')"
	assert_equal "$(cat out/* | grep -vc '^k,n$')" 60000
}

@test "--broadcast sends every record to every partition" {
	in=$(mkinput b.csv < <(printf 'k\n1\n2\n'))
	run ppartition --broadcast -n 2 -o 'b-{}.csv' "$in"
	assert_success
	run show b-0.csv b-1.csv
	assert_output "== b-0.csv
k
1
2
== b-1.csv
k
1
2"
}

@test "empty input makes N empty files; header only makes N headers" {
	: >empty.csv
	run ppartition -k k -n 2 -o 'e-{}.csv' empty.csv
	assert_success
	[ -f e-0.csv ] && [ ! -s e-0.csv ] && [ ! -s e-1.csv ]
	printf 'k,v\n' >ho.csv
	run ppartition -k k -n 2 -o 'h-{}.csv' ho.csv
	assert_success
	assert_equal "$(cat h-0.csv h-1.csv)" "k,v
k,v"
}

@test "command mode: copy i gets partition i, header first, PFLOW_PARTITION=i" {
	run ppartition -k origin -n 3 -- sh -c \
	    'read -r h; echo "$PFLOW_PARTITION/$PFLOW_PARTITIONS $h $(grep -c ,ATL,)"' \
	    <"$DATA/flights.csv"
	assert_success
	a=$(xxh_mod ATL 3)
	assert_equal "$(echo "$output" | sort)" "$(for i in 0 1 2; do
		echo "$i/3 date,delay,distance,origin,destination $([ $i = $a ] && echo 203 || echo 0)"
	done)"
	# -a FILE instead of stdin; several are one stream
	run ppartition -k origin -n 2 -a "$DATA/flights.csv" -a "$DATA/flights.csv" \
	    -- sh -c 'tail -n +2 | wc -l' </dev/null
	assert_success
	assert_equal "$(echo "$output" | awk '{ s += $1 } END { print s }')" 4000
}

@test "command mode: outputs are copied in whole lines, never mixed" {
	run ppartition -n 4 -k k -- awk -v p=x '
		NR > 1 { for (i = 0; i < 50; i++) { s = ""; for (j = 0; j < 200; j++) s = s $1; print s } }' \
	    < <(seq 1 200 | awk 'BEGIN { print "k" } { print $1 % 10 }')
	assert_success
	assert_equal "$(echo "$output" | wc -l)" 10000
	assert_equal "$(echo "$output" | grep -Evc '^(([0-9])\2{199})$')" 0
}

@test "--ocsv: the copies' CSV records with quoted newlines stay whole" {
	run ppartition --ocsv -n 2 -k k -- awk 'NR > 1 { printf "\"%s\nline2\",%s\n", $1, $1 }' \
	    < <(printf 'k\n1\n2\n3\n4\n')
	assert_success
	assert_equal "$(echo "$output" | paste -d'|' - - | sort)" '"1|line2",1
"2|line2",2
"3|line2",3
"4|line2",4'
}

@test "--header-once: one header, then every copy's records" {
	run ppartition --header-once -k origin -n 4 -- sh -c 'echo h,n; tail -n +2 | cut -d, -f4 | sort -u | sed s/$/,x/' \
	    <"$DATA/flights.csv"
	assert_success
	assert_equal "$(echo "$output" | head -1)" "h,n"
	assert_equal "$(echo "$output" | tail -n +2 | sort | tr '\n' ' ')" \
	    "ATL,x BOS,x DEN,x DFW,x JFK,x LAX,x ORD,x PHX,x SEA,x SFO,x "
}

@test "--header-once: different headers are an error (status 1)" {
	run ppartition --header-once --broadcast -n 2 -- sh -c 'cat >/dev/null; echo "h$PFLOW_PARTITION"; echo r' \
	    < <(printf 'k\n1\n')
	assert_failure 1
	assert_line --partial "ppartition: --header-once: the header of PFLOW_PARTITION="
	assert_equal "$(echo "$output" | grep -c '^r$')" 2
}

@test "map-shuffle-reduce with preduce: one valid CSV, like one preduce" {
	[ -x "$PFLOW_BUILD/preduce" ] || skip "preduce is not built"
	run ppartition --header-once -k origin -n 4 -- preduce -k origin count \
	    <"$DATA/flights.csv"
	assert_success
	assert_equal "$(echo "$output" | head -1)" "origin,count"
	assert_equal "$(echo "$output" | tail -n +2 | sort)" \
	    "$(preduce -k origin count "$DATA/flights.csv" | tail -n +2 | sort)"
}

@test "a copy that fails makes status 1, naming it" {
	run ppartition --broadcast -n 3 -- sh -c 'cat >/dev/null; exit $PFLOW_PARTITION' < <(printf 'k\n1\n')
	assert_failure 1
	assert_output "ppartition: sh (PFLOW_PARTITION=1) exited with status 1
ppartition: sh (PFLOW_PARTITION=2) exited with status 2"
	run ppartition --broadcast -n 1 -- sh -c 'kill -9 $$' < <(printf 'k\n1\n')
	assert_failure 1
	assert_line --partial "ppartition: sh (PFLOW_PARTITION=0) was killed by signal 9"
}

@test "a copy that stops reading early is reported, not a hang" {
	seq 1 200000 | awk 'BEGIN { print "k" } { print }' >big.csv
	# stdout and stderr apart: their lines must not interleave mid-line.
	run --separate-stderr timeout 20 ppartition -k k -n 2 -- head -1 <big.csv
	assert_failure 1
	assert_output "k
k"
	assert_equal "$(printf '%s\n' "$stderr" | sort)" "ppartition: head (PFLOW_PARTITION=0) stopped reading its input before its end; the rest of partition 0 is dropped
ppartition: head (PFLOW_PARTITION=1) stopped reading its input before its end; the rest of partition 1 is dropped"
}

@test "a command that does not exist is status 1" {
	run ppartition -k k -n 2 -- /no/such/command < <(printf 'k\n1\n')
	assert_failure 1
	assert_output "ppartition: /no/such/command: No such file or directory"
}

@test "a closed stdout ends command mode quietly with status 0" {
	seq 1 300000 | awk 'BEGIN { print "k" } { print }' >big.csv
	run bash -c 'set -o pipefail; timeout 20 ppartition -k k -n 2 -- cat <big.csv | head -2; echo "status ${PIPESTATUS[0]}"'
	assert_line "status 0"
}

@test "a slow copy holds the router; memory stays bounded" {
	seq 1 2000000 | awk 'BEGIN { print "k,pad" } { print $1 ",xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }' >big.csv
	run /usr/bin/time -f 'rss %M' ppartition -k k -n 2 -- sh -c 'sleep 1; wc -l' <big.csv
	assert_success
	assert_equal "$(echo "$output" | grep -v rss | awk '{ s += $1 } END { print s }')" 2000002
	rss=$(echo "$output" | awk '/^rss/ { print $2 }')
	# Under valgrind the RSS is valgrind's own: no bound to check.
	[ -n "${PFLOW_VALGRIND:-}" ] || [ "$rss" -lt 65536 ]
}

@test "files that cannot be written are status 1, named" {
	touch plainfile
	run ppartition -k k -n 2 -o 'plainfile/dir/{}.csv' < <(printf 'k\n1\n')
	assert_failure 1
	assert_output "ppartition: plainfile/dir/0.csv: Not a directory"
	# A file that takes the header but not the records (ulimit -f, in
	# KiB): the run stops at the first failed write.
	seq 1 5000 | sed 's/^/k/' | { echo k; cat; } >many.csv
	run bash -c 'ulimit -f 4; trap "" XFSZ; exec "$@"' - \
	    ppartition -k k -n 1 -o 'big-{}' many.csv
	assert_failure 1
	assert_output "ppartition: big-0: File too large"
	[ -w /dev/full ] || skip "no /dev/full"
	ln -s /dev/full full-0
	run ppartition -k k -n 1 -o 'full-{}' < <(printf 'k\n1\n')
	assert_failure 1
	assert_output "ppartition: full-0: No space left on device"
}

@test "malformed input stops with status 1 naming the record" {
	run ppartition -k k -n 2 -o 'x-{}.csv' < <(printf 'k,v\n1,2\n3\n')
	assert_failure 1
	assert_output "ppartition: stdin:3 (record 2): too few fields"
	run ppartition --bad bad.csv -k k -n 1 -o 'y-{}.csv' < <(printf 'k,v\n1,2\n3\n')
	assert_success
	assert_equal "$(cat y-0.csv)" "k,v
1,2"
	assert_equal "$(cat bad.csv)" "3"
}

@test "usage errors are status 2" {
	run ppartition -n 2 -o 'x{}'
	assert_failure 2
	assert_line "ppartition: missing -k KEY"
	run ppartition -k k -o 'x{}'
	assert_line "ppartition: missing -n N"
	assert_failure 2
	run ppartition -k k -n 2
	assert_failure 2
	assert_line "ppartition: -o PATTERN or -- COMMAND is needed"
	run ppartition -k k -n 2 -o 'x'
	assert_failure 2
	assert_line "ppartition: -o PATTERN must contain {}"
	run ppartition -k k -n 0 -o 'x{}'
	assert_failure 2
	assert_line "ppartition: -n must be a number from 1 to 100000: '0'"
	run ppartition --by-value -k k -n 2 -o 'x{}'
	assert_failure 2
	assert_line "ppartition: --by-value takes no -n"
	run ppartition --by-value -k k -- cat
	assert_failure 2
	assert_line "ppartition: --by-value works with -o only"
	run ppartition --broadcast -k k -n 2 -o 'x{}'
	assert_failure 2
	assert_line "ppartition: --broadcast takes no -k"
	run ppartition -a f -k k -n 2 -o 'x{}'
	assert_failure 2
	assert_line "ppartition: -a works in command mode only (-- COMMAND)"
	run ppartition --header-once -k k -n 2 -o 'x{}'
	assert_failure 2
	run ppartition -k k -n 1001 -- cat
	assert_failure 2
	assert_line "ppartition: -n: at most 1000 copies of a command"
	run ppartition --max-open 0 --by-value -k k -o 'x{}'
	assert_failure 2
	run ppartition --bogus
	assert_failure 2
}

@test "unknown fields and bad expressions are status 2, nothing written" {
	run ppartition -k nope -n 2 -o 'x-{}.csv' "$DATA/flights.csv"
	assert_failure 2
	assert_line --partial "nope"
	[ ! -e x-0.csv ]
	run ppartition -k 9 -n 2 -o 'x-{}.csv' "$DATA/flights.csv"
	assert_failure 2
	assert_output "ppartition: unknown field '9' (fields: date, delay, distance, origin, destination)"
	run ppartition -k 'origin +' -n 2 -- cat <"$DATA/flights.csv"
	assert_failure 2
}

@test "--help and --version" {
	run ppartition --help
	assert_success
	assert_line --index 0 "usage: ppartition [OPTIONS] -k KEY -n N -o PATTERN [FILE...]"
	run ppartition --version
	assert_success
	assert_output --regexp '^ppartition \(pflow\) [0-9.]+$'
}

@test "agrees with Miller: split -g origin" {
	command -v mlr >/dev/null || skip "mlr not installed"
	mlr --csv --from "$DATA/flights.csv" split -g origin --prefix m
	run ppartition --by-value -k origin -o 'p_{}.csv' "$DATA/flights.csv"
	assert_success
	for f in m_*.csv; do
		cmp "$f" "p_${f#m_}"
	done
	assert_equal "$(ls p_*.csv | wc -l)" "$(ls m_*.csv | wc -l)"
}

@test "man page example 1: split by origin, predict with xxhsum" {
	man_example 1
}

@test "man page example 2: --by-value" {
	man_example 2
}

@test "man page example 3: map-shuffle-reduce with preduce" {
	[ -x "$PFLOW_BUILD/preduce" ] || skip "preduce is not built"
	man_example 3
}

@test "man page example 4: PFLOW_PARTITION" {
	man_example 4
}

@test "man page example 5: --broadcast" {
	man_example 5
}

@test "copies that all stop reading end the run, even on endless input" {
	# Every record goes to partition 0; partition 1's copy exits unfed.
	run --separate-stderr timeout 20 bash -c \
	    '{ echo k,v; yes 1,x; } | ppartition -k k -n 2 -- head -n 1'
	assert_failure 1
	assert_output 'k,v
k,v'
	# Both copies are reported, in whichever order they were seen to go.
	assert_equal "$(printf '%s\n' "$stderr" | sort)" 'ppartition: head (PFLOW_PARTITION=0) stopped reading its input before its end; the rest of partition 0 is dropped
ppartition: head (PFLOW_PARTITION=1) stopped reading its input before its end; the rest of partition 1 is dropped'
}

@test "-o creates the directories of its pattern that do not exist" {
	cd "$BATS_TEST_TMPDIR"
	run ppartition -k origin -n 2 -o 'out/a/{}/part.csv' "$DATA/flights.csv"
	assert_success
	run bash -c 'cat out/a/0/part.csv out/a/1/part.csv | sort | uniq -c | awk "\$1 > 1 {print}"'
	assert_output "      2 $(head -1 "$DATA/flights.csv")"
	run bash -c 'tail -q -n +2 out/a/0/part.csv out/a/1/part.csv | wc -l'
	assert_output 2000
	run ppartition --by-value -k origin -o 'v/x/{}.csv' "$DATA/flights.csv"
	assert_success
	run bash -c 'ls v/x | wc -l'
	assert_output "$(tail -n +2 "$DATA/flights.csv" | cut -d, -f4 | sort -u | wc -l)"
	# a path that cannot be made is an error naming it
	touch blocker
	run --separate-stderr ppartition -k origin -n 2 -o 'blocker/{}.csv' "$DATA/flights.csv"
	assert_failure 1
	assert_equal "$stderr" "ppartition: blocker/0.csv: Not a directory"
}

@test "--: a SIGINT ignored at start stays ignored, in the copies too" {
	# A job started with & by a script ignores SIGINT: so does ppartition.
	{ echo k; seq 1 6; } >six.csv
	ppartition -k k -n 2 -- sh -c 'kill -INT $$; sleep 0.5; tail -n +2' <six.csv >out 2>err &
	interrupt_and_wait $!
	assert_equal "$waited_status" 0
	assert_equal "$(sort -n out)" "$(seq 1 6)"
	assert_equal "$(cat err)" ''
}

@test "--: the copies' output comes out while the input is still awaited" {
	# The input's second record waits (up to 60 s) for the first to come
	# out at the other end: no time margin to miss under valgrind or load.
	run -0 bash -c '{ echo k; echo a
	    for i in $(seq 600); do [ -e got ] && break; sleep 0.1; done
	    [ -e got ] && echo early >flag; echo b; } |
	    ppartition -n 2 -k k --header-once -- cat |
	    { IFS= read -r h; IFS= read -r r; echo "$h $r"; touch got; cat >/dev/null; }'
	assert_output 'k a'
	# The first record came out before the input went on.
	[ -e flag ]
}
