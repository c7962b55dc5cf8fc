#!/usr/bin/env bats
# pscan: running values per key, in input order. Every step against a
# Python model is in tests/pscan_model.py; here the command line, names,
# errors, awkward CSV, and DuckDB's window functions.

load helper

setup() {
	SMALL=$(mkinput small.csv <<'EOF2'
k,v,t
a,1,0
b,2,10
a,3,20
a,,30
b,x,40
a,2.5,1000
EOF2
)
}

@test "running steps per key, in input order" {
	same_for_all_jobs pscan -k k count sum:v mean:v min:v max:v first:v fill:v "$SMALL"
	assert_output - <<'EOF2'
k,v,t,count,v_sum,v_mean,v_min,v_max,v_first,v_fill
a,1,0,1,1,1,1,1,1,1
b,2,10,1,2,2,2,2,2,2
a,3,20,2,4,2,1,3,1,3
a,,30,3,4,2,1,3,1,3
b,x,40,2,2,2,2,x,2,x
a,2.5,1000,4,6.5,2.1666666666666665,1,3,1,2.5
EOF2
	assert_equal "$stderr" "pscan: 1 non-numeric value skipped"
}

@test "lag, lead, delta, ratio, windows, ewma, session and their names" {
	same_for_all_jobs pscan -k k --time t lag:v lag:v:2 lead:v lead:v:2:next2 delta:v ratio:v msum:2:v mmax:30s:v ewma:0.5:v session:60 "$SMALL"
	assert_output - <<'EOF2'
k,v,t,v_lag,v_lag2,v_lead,next2,v_delta,v_ratio,v_msum2,v_mmax30s,v_ewma0.5,session
a,1,0,,,3,,,,1,1,1,1
b,2,10,,,x,,,,2,2,2,1
a,3,20,1,,,2.5,2,3,4,3,2,1
a,,30,3,1,2.5,,,,3,3,2,1
b,x,40,2,,,,,,2,2,2,1
a,2.5,1000,,3,,,-0.5,0.8333333333333334,2.5,2.5,2.25,2
EOF2
}

@test "no -k is one key; rank; a rename; a braced field name" {
	f=$(mkinput b.csv <<<$'a:b,c\n5,x\n7,y')
	run pscan rank rank:row 'sum:{a:b}' 'sum:{a:b}:total' "$f"
	assert_success
	assert_output $'a:b,c,rank,row,a:b_sum,total\n5,x,1,1,5,5\n7,y,2,2,12,12'
}

@test "keys of several fields and expressions" {
	f=$(mkinput m.csv <<<$'a,b,v\n1,x,1\n1,y,2\n1,x,3\n2,x,4\n1,y,5')
	same_for_all_jobs pscan -k a,b sum:v "$f"
	assert_output $'a,b,v,v_sum\n1,x,1,1\n1,y,2,2\n1,x,3,4\n2,x,4,4\n1,y,5,7'
	same_for_all_jobs pscan -k 'v % 2' rank "$f"
	assert_output $'a,b,v,rank\n1,x,1,1\n1,y,2,1\n1,x,3,2\n2,x,4,2\n1,y,5,3'
}

@test "awkward CSV: quotes, embedded newlines, CRLF, BOM, no final newline" {
	f=$(mkinput q.csv < <(printf '\xef\xbb\xbfk,v\r\n"a,1","x\r\ny"\r\n"a,1",""\r\nb,"q""z"'))
	same_for_all_jobs pscan -k k rank fill:v "$f"
	assert_output - < <(printf 'k,v,rank,v_fill\n"a,1","x\r\ny",1,"x\r\ny"\n"a,1","",2,"x\r\ny"\nb,"q""z",1,"q""z"')
	run pscan -k k lag:v --ojsonl "$f"
	assert_success
	python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' <<<"$output"
	assert_line --index 1 '{"k":"a,1","v":"","v_lag":"x\r\ny"}'
}

@test "-H: positions, no header; TSV in and out" {
	f=$(mkinput h.csv <<<$'a,1\nb,2\na,3')
	run pscan -H -k 1 sum:2 lag:2 "$f"
	assert_output $'a,1,1,\nb,2,2,\na,3,4,1'
	run pscan -k 1 sum:2 --tsv "$(mkinput h.tsv <<<$'k\tv\na\t1\na\t2')"
	assert_output $'k\tv\t2_sum\na\t1\t1\na\t2\t3'
}

@test "empty input, header only, one record" {
	run pscan -k a rank </dev/null
	assert_success
	assert_output ''
	run pscan -k nope rank </dev/null
	assert_success
	run pscan -k a rank lead:b "$(mkinput h.csv <<<'a,b')"
	assert_output 'a,b,rank,b_lead'
	run pscan -k a lead:b lag:b "$(mkinput o.csv <<<$'a,b\nx,1')"
	assert_output $'a,b,b_lead,b_lag\nx,1,,'
}

@test "usage errors name what is wrong (status 2)" {
	run pscan -k nope rank "$SMALL"
	assert_failure 2
	assert_line --partial "unknown field 'nope'"
	run pscan sum:nope "$SMALL"
	assert_failure 2
	assert_line --partial "unknown field 'nope'"
	run pscan mode:v "$SMALL"
	assert_failure 2
	assert_line --partial 'unknown step "mode"'
	run pscan sum "$SMALL"
	assert_failure 2
	assert_line --partial 'sum needs a field'
	run pscan msum:0:v "$SMALL"
	assert_failure 2
	assert_line --partial "bad window '0'"
	run pscan mmean:10m:v "$SMALL"
	assert_failure 2
	assert_line --partial 'mmean:10m:v needs --time FIELD'
	run pscan --time nope session:1m "$SMALL"
	assert_failure 2
	run pscan ewma:2:v "$SMALL"
	assert_failure 2
	assert_line --partial "bad alpha '2'"
	run pscan "$SMALL"
	assert_failure 2
	assert_line --partial 'is not a STEP'
	run pscan
	assert_failure 2
	assert_line --partial 'missing STEP'
}

@test "--strict: a non-number stops at its record, those before written" {
	run --separate-stderr pscan --strict -k k sum:v "$SMALL"
	assert_failure 1
	assert_output $'k,v,t,v_sum\na,1,0,1\nb,2,10,2\na,3,20,4\na,,30,4'
	assert_equal "$stderr" "pscan: $SMALL:6 (record 5): field v: 'x' is not a number (v_sum)"
}

@test "times: unreadable ones are counted, out of order ones too" {
	f=$(mkinput t.csv <<<$'k,v,t\na,1,2024-01-01T00:00:00Z\na,2,2024-01-01 00:05\na,3,soon\na,4,2024-01-01T00:01:00+00:00')
	run --separate-stderr pscan -k k --time t session:2m mmean:5m:v "$f"
	assert_success
	assert_output $'k,v,t,session,v_mmean5m\na,1,2024-01-01T00:00:00Z,1,1\na,2,2024-01-01 00:05,2,1.5\na,3,soon,,\na,4,2024-01-01T00:01:00+00:00,2,2.3333333333333335'
	assert_line --index 0 'k,v,t,session,v_mmean5m'
	[[ "$stderr" == *"1 record without a readable --time"* ]]
	[[ "$stderr" == *"times earlier than their key's previous one"* ]]
}

@test "lead holds records within --memory, else stops with status 1" {
	f=$BATS_TEST_TMPDIR/lead.csv
	{ echo k,v; echo rare,0; for i in $(seq 1 3000); do echo "often,$i"; done; echo rare,1; } >"$f"
	run pscan -k k lead:v "$f"
	assert_success
	assert_line --index 1 'rare,0,1'
	run --separate-stderr pscan -k k lead:v --memory 20K "$f"
	assert_failure 1
	[[ "$stderr" == *"more than --memory"* ]]
}

@test "against DuckDB's window functions (skipped without DuckDB)" {
	local q=$DUCKDB_QUERY
	[ -n "$q" ] || skip "DuckDB is absent (scripts/install-duckdb.sh)"
	f=$BATS_TEST_TMPDIR/w.csv
	awk 'BEGIN { srand(29); print "rn,k,v"; for (i = 1; i <= 3000; i++) {
		r = rand(); v = r < 0.1 ? "" : int(rand() * 2000) - 1000
		print i "," "k" int(rand() * 7) "," v } }' >"$f"
	run --separate-stderr node "$q" "SELECT rn, k, v,
	    row_number() OVER w AS r,
	    sum(TRY_CAST(v AS BIGINT)) OVER (w ROWS UNBOUNDED PRECEDING) AS s,
	    lag(v) OVER w AS lg, lead(v) OVER w AS ld, lag(v, 3) OVER w AS lg3,
	    sum(TRY_CAST(v AS BIGINT)) OVER (w ROWS 4 PRECEDING) AS ms,
	    min(TRY_CAST(v AS BIGINT)) OVER (w ROWS 2 PRECEDING) AS mn,
	    max(TRY_CAST(v AS BIGINT)) OVER (w ROWS UNBOUNDED PRECEDING) AS mx
	    FROM read_csv('$f', all_varchar = true)
	    WINDOW w AS (PARTITION BY k ORDER BY TRY_CAST(rn AS INTEGER))
	    ORDER BY TRY_CAST(rn AS INTEGER)"
	[ "$status" -eq 0 ] || skip "DuckDB failed: $stderr"
	local want=$output
	same_for_all_jobs pscan -k k rank:r sum:v:s lag:v:lg lead:v:ld lag:v:3:lg3 msum:5:v:ms mmin:3:v:mn max:v:mx "$f"
	assert_equal "$output" "$want"
}
