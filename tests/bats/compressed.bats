#!/usr/bin/env bats
# Compressed input (gzip, also multi-member and BGZF; zstd; bzip2; xz),
# known by its magic bytes on files and stdin: every tool's output equals
# its output on the plain file, at -j1 and -j4 with small batches; a
# truncated or corrupt archive is status 1 naming the file; binary data
# that is no known codec is named as such. The archives are made by the
# real compressors (gzip, zstd, bzip2, xz) and BGZF by Python's gzip
# module with BGZF's extra field, as bgzip writes it.

load helper

setup_file() {
	local d=$BATS_FILE_TMPDIR
	cp "$DATA/flights.csv" "$d/plain.csv"
	gzip -c "$d/plain.csv" >"$d/f.gz"
	zstd -q -c "$d/plain.csv" >"$d/f.zst"
	bzip2 -c "$d/plain.csv" >"$d/f.bz2"
	xz -c "$d/plain.csv" >"$d/f.xz"
	# Multi-member: one member per piece of the file, cut mid-record.
	{ head -c 30000 "$d/plain.csv" | gzip -c
	  tail -c +30001 "$d/plain.csv" | head -c 7 | gzip -c
	  tail -c +30008 "$d/plain.csv" | gzip -1 -c; } >"$d/multi.gz"
	# Multi-frame zstd, multi-stream bzip2 and xz, the same way.
	{ head -c 30000 "$d/plain.csv" | zstd -q -c
	  tail -c +30001 "$d/plain.csv" | zstd -q -c; } >"$d/multi.zst"
	{ head -c 30000 "$d/plain.csv" | bzip2 -c
	  tail -c +30001 "$d/plain.csv" | bzip2 -c; } >"$d/multi.bz2"
	{ head -c 30000 "$d/plain.csv" | xz -c
	  tail -c +30001 "$d/plain.csv" | xz -c; } >"$d/multi.xz"
	# BGZF: gzip members of at most 64 KiB with the BC extra field
	# giving the member's size, and the empty end-of-file member.
	python3 - "$d/plain.csv" "$d/f.bgz" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
out = open(sys.argv[2], "wb")
def member(block):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = c.compress(block) + c.flush()
    size = 18 + len(body) + 8 - 1
    out.write(b"\x1f\x8b\x08\x04" + b"\0" * 4 + b"\0\xff" +
              struct.pack("<H", 6) + b"BC" + struct.pack("<HH", 2, size) +
              body + struct.pack("<II", zlib.crc32(block), len(block)))
for i in range(0, len(data), 10000):
    member(data[i:i + 10000])
member(b"")
PY
}

# The same command on the plain file and on each archive, as a file
# operand and on stdin, at -j1 and -j4 with small batches.
same_as_plain() {
	local d=$BATS_FILE_TMPDIR want got f j
	want=$("$@" "$d/plain.csv")
	[ -n "$want" ]
	for f in f.gz f.zst f.bz2 f.xz multi.gz multi.zst multi.bz2 multi.xz f.bgz; do
		for j in -j1 "-j4 --chunk 64 --queue 5"; do
			# shellcheck disable=SC2086
			got=$("$@" $j "$d/$f") || { echo "# $f $j failed"; return 1; }
			[ "$got" = "$want" ] || { echo "# $f $j (file) differs"; return 1; }
			# shellcheck disable=SC2086
			got=$("$@" $j <"$d/$f") || { echo "# $f $j stdin failed"; return 1; }
			[ "$got" = "$want" ] || { echo "# $f $j (stdin) differs"; return 1; }
		done
	done
}

@test "the archives are what the compressors say they are" {
	local d=$BATS_FILE_TMPDIR
	cmp <(gzip -dc "$d/multi.gz") "$d/plain.csv"
	cmp <(gzip -dc "$d/f.bgz") "$d/plain.csv"
	cmp <(zstd -dc "$d/multi.zst") "$d/plain.csv"
	cmp <(bzip2 -dc "$d/multi.bz2") "$d/plain.csv"
	cmp <(xz -dc "$d/multi.xz") "$d/plain.csv"
}

@test "pfilter: every codec gives the plain file's output" {
	same_as_plain pfilter 'delay > 60'
	same_as_plain pfilter true
}

@test "pmap: every codec gives the plain file's output" {
	same_as_plain pmap 'origin, delay * 2'
}

@test "preduce: every codec gives the plain file's output" {
	same_as_plain preduce -k origin count mean:delay max:distance
}

@test "ptakesort: every codec gives the plain file's output" {
	same_as_plain ptakesort -n 7 -k delay:desc,date
	same_as_plain ptakesort -k origin,date
}

@test "pjoin: a compressed stream joins as the plain one" {
	same_as_plain pjoin -k origin=ident "$DATA/airports.csv" --left
}

@test "ppartition: every codec writes the plain file's partitions" {
	local d=$BATS_FILE_TMPDIR f
	ppartition -n 4 -k origin -o "$d/p-plain/{}.csv" "$d/plain.csv"
	for f in f.gz f.zst f.bz2 f.xz multi.gz f.bgz; do
		ppartition -n 4 -j4 --chunk 64 -k origin -o "$d/p-$f/{}.csv" <"$d/$f"
		diff -r "$d/p-plain" "$d/p-$f"
	done
}

@test "compressed and plain files mix in one stream" {
	local d=$BATS_FILE_TMPDIR
	run -0 preduce count "$d/f.gz" "$d/plain.csv" "$d/f.zst" - <"$d/f.xz"
	assert_output "count
8000"
}

@test "--lines and --tsv read compressed input too" {
	local d=$BATS_FILE_TMPDIR
	run -0 bash -c 'pmap --lines "\$0" "$1" | cmp - "$2"' _ "$d/f.bz2" "$d/plain.csv"
	tr , '\t' <"$d/plain.csv" | zstd -q -c >"$d/t.tsv.zst"
	run -0 preduce --tsv -k origin count "$d/t.tsv.zst"
	assert_output "$(preduce --tsv -k origin count < <(tr , '\t' <"$d/plain.csv"))"
}

@test "a truncated archive: status 1 naming the file, for every codec" {
	local d=$BATS_FILE_TMPDIR f codec n
	for f in f.gz f.zst f.bz2 f.xz f.bgz; do
		n=$(($(wc -c <"$d/$f") - 9))
		head -c "$n" "$d/$f" >"$d/cut-$f"
		case $f in
		*gz) codec=gzip ;; *zst) codec=zstd ;; *bz2) codec=bzip2 ;; *xz) codec=xz ;;
		esac
		run -1 --separate-stderr pfilter true "$d/cut-$f"
		[[ $stderr == "pfilter: $d/cut-$f: truncated $codec data"* ]] ||
		    { echo "# $f: $stderr"; false; }
		run -1 --separate-stderr preduce -j4 count <"$d/cut-$f"
		[[ $stderr == "preduce: stdin: truncated $codec data"* ]]
	done
	# Cut right after the magic bytes, too.
	head -c 3 "$d/f.gz" >"$d/tiny.gz"
	run -1 --separate-stderr pfilter true "$d/tiny.gz"
	assert_equal "$stderr" "pfilter: $d/tiny.gz: truncated gzip data (it ends inside a member)"
}

@test "a corrupt archive: status 1 naming the file, for every codec" {
	local d=$BATS_FILE_TMPDIR f codec
	for f in f.gz f.zst f.bz2 f.xz; do
		cp "$d/$f" "$d/bad-$f"
		# bzip2 finds damage inside a block only as a stream that does
		# not end (bzip2 -d says "ends unexpectedly"): spoil the block's
		# CRC (bytes 11-14) instead, which it checks.
		case $f in
		*bz2) printf 'XXXX' | dd of="$d/bad-$f" bs=1 seek=10 conv=notrunc 2>/dev/null ;;
		*) printf 'XXXXXXXX' | dd of="$d/bad-$f" bs=1 seek=200 conv=notrunc 2>/dev/null ;;
		esac
		case $f in
		*gz) codec=gzip ;; *zst) codec=zstd ;; *bz2) codec=bzip2 ;; *xz) codec=xz ;;
		esac
		run -1 --separate-stderr pmap -j2 '*' "$d/bad-$f"
		assert_equal "$stderr" "pmap: $d/bad-$f: corrupt $codec data"
	done
	# Garbage after a complete member is corrupt, not ignored.
	{ cat "$d/f.gz"; printf 'trailing'; } >"$d/trail.gz"
	run -1 --separate-stderr pfilter true "$d/trail.gz"
	assert_equal "$stderr" "pfilter: $d/trail.gz: corrupt gzip data"
}

@test "binary input that is no known codec is named as such" {
	local d=$BATS_FILE_TMPDIR
	printf 'PK\003\004rest' >"$d/a.zip"
	run -1 --separate-stderr pfilter true "$d/a.zip"
	assert_equal "$stderr" "pfilter: $d/a.zip: a zip archive, which pflow does not read (it reads text, plain or compressed with gzip, zstd, bzip2 or xz)"
	run -1 --separate-stderr preduce count < <(printf '\001\002\003\n')
	assert_equal "$stderr" "preduce: stdin: binary data, not text (it starts with byte 0x01); pflow reads text, plain or compressed with gzip, zstd, bzip2 or xz"
	printf 'a\n' | iconv -f UTF-8 -t UTF-16 >"$d/u16.csv"
	run -1 --separate-stderr pmap '*' "$d/u16.csv"
	assert_equal "$stderr" "pmap: $d/u16.csv: UTF-16 text, which pflow does not read; convert it first, e.g. with iconv -f UTF-16 -t UTF-8"
	# Text that merely starts like bzip2's magic is text.
	printf 'BZh9,x\n1,2\n' >"$d/bz.csv"
	run -0 pmap '*' "$d/bz.csv"
	assert_output 'BZh9,x
1,2'
}

@test "a compressed pipe that pauses: records are not held back" {
	local d=$BATS_FILE_TMPDIR
	# Two gzip members three seconds apart; the first member's records
	# come out before the second is written (--flush), with a margin
	# that holds on a loaded machine.
	run -0 bash -c '{ printf "a\n1\n" | gzip -c; sleep 3; printf "2\n" | gzip -c; } |
	    pfilter --flush 50ms true | while read -r line; do
		printf "%s %s\n" "$line" "$(date +%s%N)"; done' _
	local t1 t2
	t1=$(sed -n 2p <<<"$output" | cut -d" " -f2)
	t2=$(sed -n 3p <<<"$output" | cut -d" " -f2)
	[ $(( (t2 - t1) / 1000000 )) -ge 1500 ]
}

@test "memory stays bounded on a large compressed stream" {
	[ -z "${PFLOW_VALGRIND:-}" ] || skip "timing and RSS under valgrind"
	local d=$BATS_FILE_TMPDIR rss
	# 200 MB of records, gzip -1 (about 1 MB), read from a pipe.
	python3 -c '
import sys
line = b"2001-01-01T10:43,12,2602,ATL,BOS\n"
sys.stdout.buffer.write(b"date,delay,distance,origin,destination\n")
for _ in range(600): sys.stdout.buffer.write(line * 10000)' | gzip -1 -c >"$d/big.gz"
	rss=$( { /usr/bin/time -f %M pfilter -j2 'delay > 60' <"$d/big.gz" >/dev/null; } 2>&1 | tail -1)
	echo "# peak RSS $rss KiB"
	[ "$rss" -lt 65536 ]
}
