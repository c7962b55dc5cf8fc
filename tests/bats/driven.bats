#!/usr/bin/env bats
# The engine's driven mode (lib/engine/engine_driven.c): pmap's command
# modes and ppartition's -- take their batches from the engine's reader
# and workers on the main thread's poll loop. Each run here must give
# the output awk computes from the same input, and write nothing to
# stderr: in the ThreadSanitizer build (suite engine, scripts/test.sh) a
# data race is a report on stderr and status 66.

load helper

setup_file() {
	# 600 records, keys k0..k6, record 300 quoted over two lines
	awk 'BEGIN {
		print "id,key,text"
		for (i = 1; i <= 600; i++)
			if (i == 300)
				printf "%d,k%d,\"two\nlines\"\n", i, i % 7
			else
				printf "%d,k%d,t%d\n", i, i % 7, i * 13 % 101
	}' >"$BATS_FILE_TMPDIR/in.csv"
}

setup() {
	cd "$BATS_TEST_TMPDIR"
	IN=$BATS_FILE_TMPDIR/in.csv
}

# quiet CMD...: runs CMD; it must succeed and write nothing to stderr.
quiet() {
	run --separate-stderr "$@"
	assert_equal "$stderr" ''
	assert_success
}

@test "pmap -- CMD {}: one command per record, in input order, at -j4 and small batches" {
	quiet pmap -j4 --chunk 1K -a "$IN" -- echo {id} {key}
	assert_output "$(awk 'BEGIN { for (i = 1; i <= 600; i++) print i, "k" i % 7 }')"
}

@test "pmap --unordered: every record's command runs once" {
	quiet pmap -j4 --chunk 1K --unordered -a "$IN" -- echo {id}
	assert_equal "$(sort -n <<<"$output")" "$(seq 600)"
}

@test "pmap --batch 50: batches of the header and 50 records, in order" {
	quiet pmap -j3 --chunk 2K --batch 50 -a "$IN" -- wc -l
	# record 300 (in the sixth batch) takes two lines
	assert_output "$(printf '51\n51\n51\n51\n51\n52\n51\n51\n51\n51\n51\n51')"
}

@test "pmap --batch-key: each key's records go to its commands" {
	quiet pmap -j3 --chunk 1K --batch 20 --batch-key key -a "$IN" -- \
	    sh -c 'echo "$PFLOW_BATCH_KEY $(tail -n +2 | wc -l)"'
	local got want
	got=$(awk '{ n[$1] += $2 } END { for (k in n) print k, n[k] }' <<<"$output" | sort)
	want=$(awk 'BEGIN { for (i = 1; i <= 600; i++) n["k" i % 7] += (i == 300 ? 2 : 1)
	    for (k in n) print k, n[k] }' | sort)
	assert_equal "$got" "$want"
}

@test "pmap --pipe: chunks of a file (spliced) and of a pipe, each after the header" {
	quiet pmap -j2 --pipe --chunk 1K -a "$IN" -- wc -l
	assert_equal "$(awk '{ n += $1 - 1 } END { print n, (NR > 1) }' <<<"$output")" '601 1'
	run --separate-stderr bash -c "cat '$IN' | pmap -j2 --pipe --chunk 1K -- wc -l"
	assert_equal "$stderr" ''
	assert_success
	assert_equal "$(awk '{ n += $1 - 1 } END { print n, (NR > 1) }' <<<"$output")" '601 1'
}

@test "pmap --pipe: a slow command while the last chunk waits does not hide the end" {
	# -j2 --pipe holds 6 chunks: the 7th and last is taken, the input's
	# end known, while the slow chunk 2 keeps the window full; when it
	# ends nothing runs, and only the engine's descriptor can wake pmap
	# to learn the end. Its byte was lost once: all output, then a hang.
	quiet timeout 20 pmap -j2 --pipe --chunk 1K -a "$IN" -- \
	    sh -c 'if [ {#} = 2 ]; then sleep 0.5; fi; wc -l'
	assert_output "$(printf '104\n94\n94\n95\n94\n94\n33')"
}

@test "pmap --bad --stats in driven mode: malformed records set aside, counted" {
	{ head -101 "$IN"; echo 'x,too,many,fields'; tail -n +102 "$IN"; } >bad.csv
	run --separate-stderr pmap -j4 --chunk 1K --bad rejects -a bad.csv -- echo {id}
	assert_success
	assert_equal "$stderr" 'pmap: 1 malformed record written to rejects'
	assert_equal "$(cat rejects)" 'x,too,many,fields'
	assert_output "$(seq 600)"
}

@test "ppartition -- preduce --partial | preduce --merge equals one preduce" {
	quiet bash -c "ppartition -j2 --chunk 1K -k key -n 3 -a '$IN' -- \
	    preduce --partial -k key count distinct:text | preduce --merge"
	local want
	want=$(preduce -k key count distinct:text "$IN")
	assert_equal "$(head -1 <<<"$output")" "$(head -1 <<<"$want")"
	assert_equal "$(tail -n +2 <<<"$output" | sort)" "$(tail -n +2 <<<"$want" | sort)"
}
