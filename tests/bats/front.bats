#!/usr/bin/env bats
# pflow's own commands (head, tail, headers), the Miller and xsv verbs it
# answers, and "did you mean" for near misses.

load helper

setup() {
	Q=$(mkinput q.csv < <(printf '\xef\xbb\xbfid,text,n\r\n1,"two\r\nlines",5\r\n2,"a ""quote""",\r\n3,"x,y",7\r\n4,plain,8\r\n5,"last\none",9'))
}

# rows FILE FIRST COUNT: records FIRST.. of FILE as Python's csv reads
# and writes them (header first), minimally quoted.
rows() {
	python3 - "$@" <<'PY'
import csv, io, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8-sig")))
first, count = int(sys.argv[2]), int(sys.argv[3])
body = rows[1:]
pick = body[first:first + count] if first >= 0 else body[first:][:count]
out = io.StringIO()
w = csv.writer(out, lineterminator="\n")
w.writerow(rows[0])
w.writerows(pick)
sys.stdout.write(out.getvalue())
PY
}

@test "head and tail keep the header and whole quoted records, for every -j" {
	for n in 0 1 2 3 5 9; do
		same_for_all_jobs pflow head -n "$n" "$Q"
		assert_success
		assert_equal "$output" "$(rows "$Q" 0 "$n")"
		same_for_all_jobs pflow tail -n "$n" "$Q"
		assert_success
		if [ "$n" -eq 0 ]; then
			assert_equal "$output" "$(rows "$Q" 0 0)"
		else
			assert_equal "$output" "$(rows "$Q" "-$n" "$n")"
		fi
	done
	run pflow head "$PFLOW_SOURCE/data/flights.csv"
	assert_equal "$output" "$(head -n 11 "$PFLOW_SOURCE/data/flights.csv")"
	run bash -c "pflow tail --ojsonl -n 1 '$Q' | python3 -c 'import json, sys; print(repr(json.loads(sys.stdin.read())[\"text\"]))'"
	assert_output "'last\\none'"
}

@test "head stops reading once it has N records; tail keeps N in bounded memory" {
	run timeout 20 bash -c '{ echo a; yes 1; } | pflow head -n 2'
	assert_success
	assert_output $'a\n1\n1'
	local rss=$BATS_TEST_TMPDIR/rss
	run bash -c 'seq 1 2000000 | /usr/bin/time -f "%M" pflow tail -n 3 --lines 2>"$1"' _ "$rss"
	assert_output $'1999998\n1999999\n2000000'
	# 15 MB in a plain build; the sanitizers' shadow memory adds ~100 MB
	local limit=60000
	ldd "$PFLOW_BUILD/pflow" 2>/dev/null | grep -q 'lib[at]san' && limit=400000
	[ "$(cat "$rss")" -lt "$limit" ] || fail "tail took $(cat "$rss") KB"
}

@test "headers: position, name and the type the first records suggest" {
	G=$(mkinput g.csv <<'CSV'
i,d,t,s,e,m
1,1.5,2024-01-31,x,,7
-2,3,2024-02-01T10:20:00Z,,,x
CSV
)
	run pflow headers "$G"
	assert_success
	assert_output "$(printf '1\ti\tinteger\n2\td\tdecimal\n3\tt\tdate\n4\ts\ttext\n5\te\tempty\n6\tm\ttext')"
	run pflow headers -n 1 "$G"
	assert_line --index 5 "$(printf '6\tm\tinteger')"
}

@test "Miller and xsv verbs are answered with the pflow command that does it" {
	local v
	declare -A want=(
		[sort]="ptakesort -k KEY[:desc][,KEY...] FILE  (-n N: the first N)"
		[stats1]="preduce [-k KEY] mean:FIELD sum:FIELD p90:FIELD ... FILE"
		[count-distinct]="preduce -k FIELD[,FIELD...] count FILE"
		[cut]="pmap 'a, b, 2..4, /^re/' FILE  (cut -x: pmap '*, -a')"
		[uniq]="pfilter --unique KEY true FILE  (counts: preduce -k KEY count)"
		[split]="ppartition -k KEY -n N -o 'part-{}.csv' FILE  (--by-value: a file per value)"
		[cat]="pmap '*' FILE...  (one header; --union for different ones)"
	)
	for v in "${!want[@]}"; do
		run --separate-stderr pflow "$v" x.csv
		assert_failure 2
		assert_output ''
		assert_equal "$stderr" "pflow: '$v' is a Miller/xsv verb; in pflow: ${want[$v]}"
	done
}

@test "near misses of tools and commands: did you mean" {
	run --separate-stderr pflow mpa
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "pflow: unknown tool 'mpa'; did you mean 'map'?"
	run --separate-stderr pflow haed f.csv
	assert_equal "${stderr_lines[0]}" "pflow: unknown tool 'haed'; did you mean 'head'?"
	run --separate-stderr pflow help fliter
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "pflow: unknown tool 'fliter'; did you mean 'filter'?"
	run --separate-stderr pflow zzzzzz
	assert_equal "${stderr_lines[0]}" "pflow: unknown tool 'zzzzzz'"
	run pflow help head
	assert_success
	assert_line --index 0 'usage: pflow head [-n N] [OPTIONS] [FILE...]'
}
