#!/usr/bin/env bats
# compressed-output: an output file whose name ends in .gz or .zst is
# written compressed (support/writer.h): ppartition's -o files, numbered
# and --by-value (closed and appended to again). Each is checked through
# gzip -dc / zstd -dc against the same run written plain.

load helper

setup() {
	command -v zstd >/dev/null || skip "zstd is absent"
	IN=$(mkinput in.csv < <(python3 -c '
import random
r = random.Random(7)
print("k,v,t")
for i in range(6000):
    print("%s,%d,\"x\ny %d\"" % (r.choice("abcdefghij"), r.randint(-9, 99), i))
'))
}

# Fails unless every file NAME of directory $1 equals NAME.EXT in $2
# decompressed with the command $3.
same_after() {
	local plain=$1 packed=$2 ext=$3 cmd=$4 f n=0
	for f in "$plain"/*; do
		[ -f "$packed/$(basename "$f").$ext" ] || fail "no $(basename "$f").$ext"
		run $cmd "$packed/$(basename "$f").$ext"
		assert_success
		assert_output "$(cat "$f")"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || fail "no files in $plain"
	[ "$(ls "$packed" | wc -l)" -eq "$n" ] || fail "other files in $packed"
}

@test "ppartition -n: .gz and .zst files decompress to the plain files, at every -j" {
	D=$BATS_TEST_TMPDIR
	ppartition -k k -n 4 -j1 -o "$D/plain/p{}.csv" "$IN"
	for j in "-j1" "-j4 --chunk 512"; do
		rm -rf "$D/gz" "$D/zst"
		ppartition -k k -n 4 $j -o "$D/gz/p{}.csv.gz" "$IN"
		ppartition -k k -n 4 $j -o "$D/zst/p{}.csv.zst" "$IN"
		same_after "$D/plain" "$D/gz" gz "gzip -dc"
		same_after "$D/plain" "$D/zst" zst "zstd -qdc"
		run gzip -t "$D"/gz/*.gz
		assert_success
	done
}

@test "ppartition --by-value: files closed for --max-open and appended to stay whole" {
	D=$BATS_TEST_TMPDIR
	ppartition -k k --by-value -o "$D/plain/{}" "$IN"
	ppartition -k k --by-value --max-open 2 -j4 --chunk 256 -o "$D/gz/{}.gz" "$IN"
	ppartition -k k --by-value --max-open 3 -j4 --chunk 256 -o "$D/zst/{}.zst" "$IN"
	same_after "$D/plain" "$D/gz" gz "gzip -dc"
	same_after "$D/plain" "$D/zst" zst "zstd -qdc"
}

@test "a compressed partition that gets no record is still a valid file" {
	D=$BATS_TEST_TMPDIR
	H=$(mkinput h.csv < <(printf 'a\na\n'))
	run ppartition -H -k 1 -n 3 -o "$D/e{}.gz" "$H"
	assert_success
	for i in 0 1 2; do
		run gzip -dc "$D/e$i.gz"
		assert_success
	done
	run ppartition -H -k 1 -n 3 -o "$D/e{}.zst" "$H"
	for i in 0 1 2; do
		run zstd -qdc "$D/e$i.zst"
		assert_success
	done
	# The header alone, compressed.
	E=$(mkinput e.csv < <(printf 'k,v\n1,2\n'))
	ppartition -k k -n 2 -o "$D/h{}.csv.gz" "$E"
	run bash -c "gzip -dc '$D/h0.csv.gz' '$D/h1.csv.gz' | sort"
	assert_output "$(printf '1,2\nk,v\nk,v')"
}

@test "other names are written plain; pfilter reads what ppartition wrote" {
	D=$BATS_TEST_TMPDIR
	ppartition -k k -n 2 -o "$D/x{}.gzip" "$IN"
	run head -n 1 "$D/x0.gzip"
	assert_output 'k,v,t'
	ppartition -k k -n 1 -o "$D/y{}.csv.gz" "$IN"
	run bash -c "gzip -dc '$D/y0.csv.gz' | pfilter 'v > 90' | wc -l"
	assert_output "$(pfilter 'v > 90' "$IN" | wc -l)"
}
