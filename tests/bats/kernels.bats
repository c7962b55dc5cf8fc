#!/usr/bin/env bats
# kernels: every CSV kernel this machine runs (lib/csv/scan.h; chosen
# with PFLOW_KERNEL) reads CSV as Python's csv module does, and gives the
# byte-wise reference automaton's output (PFLOW_KERNEL=ref) in every
# tool, at -j1 and -j4 with small batches.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
}

# The kernels this machine runs: an unavailable one is a usage error.
kernels() {
	local k
	for k in ref c sse2 avx2 neon; do
		PFLOW_KERNEL=$k pfilter -c true /dev/null >/dev/null 2>&1 &&
			printf '%s\n' "$k"
	done
}

# pfilter, pmap and preduce on k.csv with kernel $1 and options $2...:
# their output, messages and statuses; pfilter's --bad goes to bad.txt.
tools_on_k() {
	local k=$1
	shift
	PFLOW_KERNEL=$k pfilter --bad bad.txt "$@" 'val >= 0' k.csv 2>&1
	echo "status $?"
	PFLOW_KERNEL=$k pmap "$@" 'note, id' k.csv 2>&1
	echo "status $?"
	PFLOW_KERNEL=$k preduce "$@" -k val count k.csv 2>&1
	echo "status $?"
}

@test "an unknown PFLOW_KERNEL is a usage error naming the kernels there are" {
	run -2 --separate-stderr env PFLOW_KERNEL=avx9 pfilter -c true /dev/null
	assert_output ""
	[[ $stderr == "pfilter: PFLOW_KERNEL=avx9: no such CSV kernel on this machine (have: ref, c"* ]]
	run -0 env PFLOW_KERNEL=c pfilter -c true "$DATA/flights.csv"
	assert_output 2000
}

@test "every kernel reads random CSV as Python's csv does (stray quotes, \"\", CRLF, line breaks in fields)" {
	local k
	for k in $(kernels); do
		run env PFLOW_KERNEL=$k python3 "$PFLOW_SOURCE/tests/csv_oracle.py" \
		    "$PFLOW_BUILD" "$BATS_TEST_TMPDIR" 3 "$((${#k} * 7))"
		[ "$status" -eq 0 ] || { echo "kernel $k: $output"; false; }
	done
}

@test "every kernel gives the reference's bytes: quoted, CRLF, malformed and 63-65-byte records" {
	python3 -c '
import random
rng = random.Random(30)
print("id,name,note,val")
for i in range(1, 3001):
    w = rng.choice([1, 30, 60, 61, 62, 63, 64, 65])
    note = rng.choice(["x" * w, "\"q,\"\"%s\"\"\"" % ("y" * w), "\"a\nb\"", "x\"y", "\"bad\"z", ""])
    end = "\r\n" if i % 7 == 0 else "\n"
    print("%d,n%d,%s,%d" % (i, i, note, i % 97), end=end)
print("3001,last,\"open,1")
' >k.csv
	local k ref out
	ref=$(tools_on_k ref -j1)
	[ "$(wc -l <bad.txt)" -gt 100 ]	# the malformed records
	mv bad.txt ref-bad.txt
	for k in $(kernels); do
		for j in "-j1" "-j4 --chunk 100"; do
			out=$(tools_on_k "$k" $j)
			assert_equal "$out" "$ref"
			cmp bad.txt ref-bad.txt
		done
	done
}

@test "every kernel gives the reference's bytes on the quoted OurAirports runways" {
	need_shared
	local k ref
	ref=$(PFLOW_KERNEL=ref pfilter -j1 'length_ft > 5000' "$SHARED/ourairports-runways.csv" | cksum)
	for k in $(kernels); do
		run -0 sh -c "PFLOW_KERNEL=$k pfilter -j4 --chunk 4096 'length_ft > 5000' '$SHARED/ourairports-runways.csv' | cksum"
		assert_output "$ref"
	done
}
