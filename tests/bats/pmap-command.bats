#!/usr/bin/env bats
# pmap-command.bats - pmap's command mode: pmap [OPTIONS] -- COMMAND [ARG...]

load helper
bats_require_minimum_version 1.5.0

setup() {
	cd "$BATS_TEST_TMPDIR"
	printf 'id,name,n\n1,alpha,10\n2,"b, c",20\n3,"say ""hi""",30\n' >three.csv
}

# ---- substitution -------------------------------------------------------

@test "{name} and {N} are field values, unquoted" {
	run -0 pmap -a three.csv -- echo {name} /{3}/
	assert_output 'alpha /10/
b, c /20/
say "hi" /30/'
}

@test "{} is the raw record; {#} the job number" {
	run -0 pmap -a three.csv -- echo '{#}:{}'
	assert_output '1:1,alpha,10
2:2,"b, c",20
3:3,"say ""hi""",30'
}

@test "without any placeholder the record is the last argument" {
	run -0 pmap -a three.csv -- echo rec
	assert_output 'rec 1,alpha,10
rec 2,"b, c",20
rec 3,"say ""hi""",30'
}

@test "braces that are no field stay text (awk programs work)" {
	run -0 pmap -a three.csv -- awk -v r={id} 'BEGIN {print "<" r ">"}'
	assert_output '<1>
<2>
<3>'
	run -0 pmap -a three.csv -- echo '{nope}' '{id}{n}'
	assert_output '{nope} 110
{nope} 220
{nope} 330'
}

@test "arguments are not run through a shell" {
	printf 'x\n$(touch pwned); echo hi\n' >evil.csv
	run -0 pmap -a evil.csv -- echo {x}
	assert_output '$(touch pwned); echo hi'
	[ ! -e pwned ]
}

@test "--lines: every line is a record, {1} with -d" {
	run -0 pmap --lines -- echo '[{}]' < <(printf 'a b\n\nc:d\n')
	assert_output '[a b]
[]
[c:d]'
	run -0 pmap --lines -d : -- echo '{2}' < <(printf 'a:b\nc:d\n')
	assert_output 'b
d'
}

@test "-H: no header, fields by position" {
	run -0 pmap -H -- echo {2} < <(printf 'a,b\nc,d\n')
	assert_output 'b
d'
}

@test "TSV input" {
	run -0 pmap --tsv -- echo {b} < <(printf 'a\tb\n1\t2\n')
	assert_output '2'
}

@test "awkward CSV: BOM, CRLF, embedded newline, empty fields, no final newline" {
	printf '\xef\xbb\xbfa,b\r\n"x\ny",\r\n,z' >awk.csv
	run -0 pmap -a awk.csv -- printf '<%s|%s>\n' {a} {b}
	assert_output '<x
y|>
<|z>'
}

@test "-a is repeatable; later headers are dropped" {
	printf 'id,name,n\n4,delta,40\n' >more.csv
	run -0 pmap -a three.csv -a more.csv -- echo {id}
	assert_output '1
2
3
4'
}

@test "stdin is read when there is no -a" {
	run -0 pmap -- echo {n} <three.csv
	assert_output '10
20
30'
}

@test "empty input and header-only input run nothing" {
	run -0 pmap -- echo x </dev/null
	assert_output ''
	run -0 pmap -- echo x < <(printf 'a,b\n')
	assert_output ''
}

# ---- order ----------------------------------------------------------------

@test "output is in input order whatever the finishing order" {
	seq 1 6 >six
	run -0 pmap --lines -j6 -a six -- sh -c 'sleep 0.$((7 - $0)); echo $0'
	assert_output '1
2
3
4
5
6'
}

@test "output is the same for every -j" {
	seq 1 200 >many
	# same_for_all_jobs puts -j after the command: here it must come first.
	run -0 pmap --lines -j1 -a many -- sh -c 'echo $0; echo $(($0 * 2))'
	local out1=$output
	run -0 pmap --lines -j4 --chunk 64 --queue 5 -a many -- sh -c 'echo $0; echo $(($0 * 2))'
	assert_equal "$output" "$out1"
	assert_equal "${#lines[@]}" 400
	run -0 pmap --lines -j4 --chunk 64 --queue 5 --batch 7 -a many -- sh -c 'tail -1'
	assert_equal "$output" "$(seq 7 7 200; echo 200)"
}

@test "--unordered writes outputs as commands finish" {
	seq 1 4 >four
	# Each command waits (up to 60 s) until the next one's output is out:
	# an order no load can change, and only --unordered gives it.
	run -0 bash -c 'pmap --lines -j4 --unordered -a four -- sh -c '"'"'
	    for i in $(seq 600); do [ $0 = 4 ] || grep -qx $(($0 + 1)) out && break
	    sleep 0.1; done; echo $0'"'"' >out; cat out'
	assert_output '4
3
2
1'
}

@test "a long first command streams its output before it ends" {
	run -0 pmap --lines -j2 -- sh -c 'if [ $0 = 1 ]; then echo first; sleep 1; echo done; else echo second; fi' < <(printf '1\n2\n')
	assert_output 'first
done
second'
}

@test "stderr of commands is passed through" {
	run --separate-stderr -0 pmap -a three.csv -j1 -- sh -c 'echo out $0; echo err $0 >&2' {id}
	assert_output 'out 1
out 2
out 3'
	assert_equal "$stderr" 'err 1
err 2
err 3'
}

# ---- failures -------------------------------------------------------------

@test "a failing command: status 1, message, summary; the others run" {
	run --separate-stderr -1 pmap -a three.csv -- sh -c 'echo $0; [ $0 != 2 ]' {id}
	assert_output '1
2
3'
	assert_equal "$stderr" 'pmap: record 2: exit status 1
pmap: 1 of 3 commands failed'
}

@test "a command that does not exist" {
	run --separate-stderr -1 pmap -a three.csv -j1 -- no-such-command-pflow {id}
	assert_output ''
	assert_equal "$stderr" 'pmap: record 1: cannot run no-such-command-pflow: No such file or directory
pmap: 3 of 3 commands failed
pmap: 2 more could not be run for the same reason: No such file or directory'
	# said once however many records; every record is tried (or --halt)
	run --separate-stderr -1 pmap --lines -j4 -a <(seq 250) --failed f.txt -- no-such-command-pflow
	assert_equal "${#stderr_lines[@]}" 3
	assert_equal "${stderr_lines[2]}" 'pmap: 249 more could not be run for the same reason: No such file or directory'
	assert_equal "$(cat f.txt)" "$(seq 250)"
	run --separate-stderr -1 pmap --halt --lines -j1 -a <(seq 250) -- no-such-command-pflow
	assert_equal "$stderr" 'pmap: record 1: cannot run no-such-command-pflow: No such file or directory
pmap: stopped at the first failure (--halt): 1 of 1 commands failed'
}

@test "the command is looked up in \$PATH as execvp does" {
	mkdir first second
	# Not executable: skipped, as execvp skips it; the second one runs.
	printf '#!/bin/sh\necho first "$@"\n' >first/pflow-cmd
	printf '#!/bin/sh\necho second "$@"\n' >second/pflow-cmd
	chmod +x second/pflow-cmd
	# No #! line: run by /bin/sh, as execvp does.
	printf 'echo plain "$@"\n' >second/pflow-plain
	chmod +x second/pflow-plain
	PATH=$PWD/first:$PWD/second:$PATH run -0 pmap -a three.csv -j2 -- pflow-cmd {id}
	assert_output 'second 1
second 2
second 3'
	PATH=$PWD/first:$PWD/second:$PATH run -0 pmap -a three.csv -- pflow-plain {id}
	assert_output 'plain 1
plain 2
plain 3'
}

@test "a command found but not executable" {
	mkdir bin
	printf '#!/bin/sh\necho no\n' >bin/pflow-noexec
	PATH=$PWD/bin:$PATH run --separate-stderr -1 pmap -a three.csv -j1 -- pflow-noexec
	assert_output ''
	assert_equal "$stderr" 'pmap: record 1: cannot run pflow-noexec: Permission denied
pmap: 3 of 3 commands failed
pmap: 2 more could not be run for the same reason: Permission denied'
}

@test "--timeout ends a command that hangs (TERM)" {
	SECONDS=0
	run --separate-stderr -1 pmap --lines --timeout 300ms -- sh -c 'if [ $0 = 2 ]; then sleep 30; fi; echo $0' < <(printf '1\n2\n3\n')
	assert_output '1
3'
	assert_equal "$stderr" 'pmap: record 2: timed out after 0.3s
pmap: 1 of 3 commands failed'
	[ "$SECONDS" -lt 10 ]
}

@test "--timeout: a command that ignores TERM gets KILL" {
	SECONDS=0
	run --separate-stderr -1 pmap --lines --timeout 200ms -- sh -c 'trap "" TERM; sleep 30' < <(printf '1\n')
	assert_equal "$stderr" 'pmap: record 1: timed out after 0.2s
pmap: 1 of 1 commands failed'
	[ "$SECONDS" -lt 10 ]
}

@test "--retries: a command that fails then succeeds (counter file)" {
	run --separate-stderr -0 pmap --lines -j1 --retries 2 -- sh -c 'n=$(cat count.$0 2>/dev/null || echo 0); n=$((n + 1)); echo $n >count.$0; echo "$0 try $n"; [ $n -ge 2 ]' < <(printf 'a\nb\n')
	assert_output 'a try 2
b try 2'
	assert_equal "$stderr" ''
}

@test "--retries: still failing after the retries" {
	run --separate-stderr -1 pmap --lines --retries 2 -- sh -c 'echo x >>tries; exit 3' < <(printf 'a\n')
	assert_equal "$(wc -l <tries)" 3
	assert_equal "$stderr" 'pmap: record 1: exit status 3 (last of the attempts)
pmap: 1 of 1 commands failed'
}

@test "--halt stops starting commands at the first failure" {
	seq 1 6 >six
	run --separate-stderr -1 pmap --lines -j1 --halt -a six -- sh -c 'echo $0; [ $0 != 3 ]'
	assert_output '1
2
3'
	assert_equal "$stderr" 'pmap: record 3: exit status 1
pmap: stopped at the first failure (--halt): 1 of 3 commands failed'
}

@test "--halt waits for the running commands and writes their output" {
	run --separate-stderr -1 pmap --lines -j2 --halt -- sh -c 'if [ $0 = 1 ]; then sleep 0.5; echo slow; else exit 1; fi' < <(printf '1\n2\n3\n4\n')
	assert_output 'slow'
}

@test "--failed writes the header and the failed records, ready to feed back" {
	printf 'id,name\n1,a\n2,"x\ny"\n3,c\n4,d\n' >in.csv
	run -1 pmap -a in.csv -j4 --failed failed.csv -- sh -c '[ $(($0 % 2)) = 1 ]' {id}
	assert_equal "$(cat failed.csv)" 'id,name
2,"x
y"
4,d'
	run -0 pmap -a failed.csv -- echo {id}
	assert_output '2
4'
}

@test "--failed with no failure holds just the header" {
	run -0 pmap -a three.csv --failed failed.csv -- true
	assert_equal "$(cat failed.csv)" 'id,name,n'
}

# ---- batches and chunks ---------------------------------------------------

@test "--batch N: N records per command on stdin, header first" {
	run -0 pmap -a three.csv --batch 2 -- sh -c 'echo ---; cat'
	assert_output '---
id,name,n
1,alpha,10
2,"b, c",20
---
id,name,n
3,"say ""hi""",30'
}

@test "--batch: arguments take the batch's first record" {
	run -0 pmap -a three.csv --batch 2 -- echo first {id}
	assert_output 'first 1
first 3'
}

@test "--batch with --lines has no header" {
	run -0 pmap --lines --batch 3 -- sh -c 'tr "\n" " "; echo' < <(seq 1 7)
	assert_output '1 2 3 
4 5 6 
7 '
}

@test "--batch-key batches equal keys together; PFLOW_BATCH_KEY is set" {
	printf 'k,v\na,1\nb,2\na,3\nc,4\nb,5\na,6\n' >keys.csv
	run -0 pmap -a keys.csv -j1 --batch 2 --batch-key k -- sh -c 'echo "[$PFLOW_BATCH_KEY]" $(tail -n +2)'
	assert_output '[a] a,1 a,3
[b] b,2 b,5
[c] c,4
[a] a,6'
}

@test "--batch-key without --batch: one command per key" {
	printf 'k,v\na,1\nb,2\na,3\n' >keys.csv
	run -0 pmap -a keys.csv --batch-key 'upper(k)' -- sh -c 'echo "$PFLOW_BATCH_KEY" $(tail -n +2)'
	assert_output 'A a,1 a,3
B b,2'
}

@test "--batch-key and {NAME} follow the field rule (names with spaces, {a:b}, positions)" {
	printf 'Major Genre,a:b,v\nDrama,x,1\nComedy,y,2\nDrama,x,3\n' >genres.csv
	run -0 pmap -a genres.csv -j1 --batch-key 'Major Genre' -- sh -c 'echo "[$PFLOW_BATCH_KEY]" $(tail -n +2 | cut -d, -f3)'
	assert_output '[Drama] 1 3
[Comedy] 2'
	run -0 pmap -a genres.csv -j1 --batch-key '{a:b},1' -- sh -c 'echo "[$PFLOW_BATCH_KEY]" $(tail -n +2 | cut -d, -f3)'
	assert_output '[x,Drama] 1 3
[y,Comedy] 2'
	run -0 pmap -a genres.csv -j1 --batch-key 2 -- sh -c 'echo "[$PFLOW_BATCH_KEY]"'
	assert_output '[x]
[y]'
	run -0 pmap -a genres.csv -- echo '{Major Genre}' '{a:b}' '{{a:b}}' '{3}' '{4}' '{{nope}}'
	assert_output 'Drama x x 1 {4} {{nope}}
Comedy y y 2 {4} {{nope}}
Drama x x 3 {4} {{nope}}'
}

@test "an unknown --batch-key field is a usage error listing the fields" {
	printf 'Major Genre,v\nDrama,1\n' >genres.csv
	for k in 'Major' '{Genre}' 7; do
		run -2 --separate-stderr pmap -a genres.csv --batch-key "$k" -- cat
		assert_output ''
		near="; did you mean 'Major Genre'?"
		[ "$k" = Major ] || near=
		assert_equal "${stderr_lines[0]}" "pmap: unknown field '$k'$near (fields: Major Genre, v)"
	done
}

@test "--batch-timeout flushes a partial batch on slow input" {
	# The third record comes once the first batch ran (up to 60 s).
	run -0 pmap --batch 5 --batch-timeout 200ms -- sh -c 'echo batch $(tail -n +2) | tee -a batches' < <(printf 'v\n1\n2\n'
	    for i in $(seq 600); do [ -s batches ] && break; sleep 0.1; done; printf '3\n')
	assert_output 'batch 1 2
batch 3'
}

@test "--pipe feeds chunks with the header to fresh commands, in order" {
	seq 1 30000 | sed 's/^/r/' | (echo h; cat) >big.csv
	run -0 pmap --pipe -j4 --chunk 64K -a big.csv -- awk 'NR == 1 {print} END {print NR - 1}'
	assert_equal "$(printf '%s\n' "${lines[@]}" | grep -c '^h$')" "$(( ${#lines[@]} / 2 ))"
	assert_equal "$(printf '%s\n' "${lines[@]}" | grep -v '^h$' | awk '{s += $1} END {print s}')" 30000
	[ "${#lines[@]}" -gt 2 ]
	run -0 pmap --pipe -j4 --chunk 64K -a big.csv -- tail -n +2
	assert_equal "$output" "$(tail -n +2 big.csv)"
}

@test "--pipe: a file, stdin from a file and a pipe give the same records" {
	seq 1 30000 | sed 's/^/r/' | (echo h; cat) >big.csv
	# A file's chunks (spliced) are cut at the same places however it
	# is named: cksum of each chunk as the command sees it, header included.
	run -0 pmap --pipe -j2 --chunk 64K -a big.csv -- cksum
	want=$output
	[ "${#lines[@]}" -gt 2 ]
	run -0 pmap --pipe -j2 --chunk 64K -- cksum < big.csv
	assert_equal "$output" "$want"
	# A chunk is at most --chunk bytes when records are shorter.
	run -0 pmap --pipe -j2 --chunk 64K -a big.csv -- wc -c
	assert_equal "$(awk '$1 > 65536' <<<"$output")" ''
	# From a pipe, chunks are cut where reads end: the same records.
	run -0 pmap --pipe -j2 --chunk 64K -- tail -n +2 < <(cat big.csv)
	assert_equal "$output" "$(tail -n +2 big.csv)"
	# stdin read partly before pmap starts: it takes the rest.
	tail -n +2 big.csv >rest.csv
	run -0 pmap --pipe --chunk 64K --lines -a rest.csv -- cksum
	want=$output
	run -0 sh -c 'read -r first; pmap --pipe --chunk 64K --lines -- cksum' < big.csv
	assert_equal "$output" "$want"
}

@test "--pipe over several files: BOM and repeated headers dropped, CRLF kept" {
	printf '\357\273\277id,v\r\n1,a\r\n2,b\r\n' >one.csv
	printf 'id,v\r\n3,c\r\n' >two.csv
	run -0 pmap --pipe -j2 -a one.csv -a two.csv -- od -An -c
	assert_output "$(printf 'id,v\r\n1,a\r\n2,b\r\n' | od -An -c)
$(printf 'id,v\r\n3,c\r\n' | od -An -c)"
}

@test "--pipe --retries feeds the whole chunk again" {
	seq 1 3000 | (echo n; cat) >nums.csv
	# The first attempt of each chunk reads a little of it and fails.
	run --separate-stderr -0 pmap --pipe --chunk 4K --retries 1 -j2 -a nums.csv -- sh -c '
		if [ ! -e "$0/m$1" ]; then
			: >"$0/m$1"; head -c 100 >/dev/null; exit 3
		fi
		tail -n +2' "$BATS_TEST_TMPDIR" '{#}'
	assert_equal "$output" "$(seq 1 3000)"
	assert_equal "$stderr" ''
	[ "$(ls "$BATS_TEST_TMPDIR" | grep -c '^m')" -gt 2 ]
}

@test "--pipe --failed and --joblog: the chunks as they were fed" {
	seq 1 3000 | (echo n; cat) >nums.csv
	run --separate-stderr -1 pmap --pipe --chunk 4K -j2 -a nums.csv --failed failed.csv --joblog log -- sh -c 'cat >/dev/null; exit 1'
	assert_equal "$(cat failed.csv)" "$(cat nums.csv)"
	# Send column: the header (2 bytes) and the chunk, for every chunk.
	run -0 awk -F'\t' 'NR > 1 {s += $5 - 2; n++} END {print s, (n > 2)}' log
	assert_output "$(( $(wc -c <nums.csv) - 2 )) 1"
}

@test "--pipe: quoted newlines and long fields across the scan's blocks" {
	# Fields of 200 KB with newlines in them: longer than the reader's
	# scan block (128 KB), and some records longer than --chunk.
	awk 'BEGIN {
		print "a,b"
		long = sprintf("%200000s", ""); gsub(/ /, "y", long)
		for (i = 1; i <= 40; i++)
			if (i % 7 == 0) printf "%d,\"x\n%s\n\"\"z\"\"\"\n", i, long
			else printf "%d,\"x\ny\"\n", i
	}' >q.csv
	for chunk in 100K 300K 1M; do
		run -0 pmap --pipe -j2 --chunk $chunk -a q.csv -- pmap -j1 'a, len(b)'
		assert_equal "$(grep -v '^a,' <<<"$output")" "$(awk 'BEGIN {
			for (i = 1; i <= 40; i++) print i "," (i % 7 == 0 ? 200006 : 3) }')"
	done
}

@test "--pipe keeps quoted newlines inside one chunk" {
	{ echo 'a,b'; for i in $(seq 1 3000); do printf '%d,"x\ny"\n' "$i"; done; } >q.csv
	run -0 pmap --pipe --chunk 64K -a q.csv -- pmap -j1 -- echo {a}
	assert_equal "$output" "$(seq 1 3000)"
}

@test "--pipe checks records as every mode does: status 1 naming the line, or --bad" {
	# 60 records; record 30 is ragged, the last opens a quote it never closes.
	{ echo 'a,b'; for i in $(seq 1 59); do
		if [ "$i" = 30 ]; then echo 30; else echo "$i,x"; fi; done
	    printf '60,"never closed\n'; } >r.csv
	local good
	good=$(awk -F, 'NR > 1 && NF == 2 && !/"/' r.csv)
	local how j
	for how in file stdin pipe; do
		for j in 1 3; do
			case $how in
			file) set -- -a r.csv ;;
			stdin) set -- -a - ;;
			pipe) set -- ;;
			esac
			run -1 --separate-stderr bash -c 'cat r.csv | pmap --pipe -j'$j' --chunk 64 "$@" -- tail -n +2' sh "$@"
			[ "$how" != stdin ] || run -1 --separate-stderr bash -c 'pmap --pipe -j'$j' --chunk 64 "$@" -- tail -n +2 <r.csv' sh "$@"
			local name=r.csv
			[ "$how" = file ] || name=stdin
			assert_equal "$stderr" "pmap: $name:31 (record 30): too few fields"
			# The records before it ran, as in every mode.
			assert_equal "$output" "$(head -n 29 <<<"$good")"
			rm -f bad.csv
			if [ "$how" = stdin ]; then
				run -0 --separate-stderr bash -c 'pmap --pipe -j'$j' --chunk 64 --bad bad.csv "$@" -- tail -n +2 <r.csv' sh "$@"
			else
				run -0 --separate-stderr bash -c 'cat r.csv | pmap --pipe -j'$j' --chunk 64 --bad bad.csv "$@" -- tail -n +2' sh "$@"
			fi
			assert_equal "$stderr" 'pmap: 2 malformed records written to bad.csv'
			assert_equal "$output" "$good"
			run -0 cat bad.csv
			assert_output '30
60,"never closed'
		done
	done
}

@test "--pipe: a chunk whose records all go to --bad runs no command" {
	printf 'a,b\n1\n2\n' >allbad.csv
	run -0 --separate-stderr pmap --pipe --bad bad.csv --joblog log -a allbad.csv -- cat
	assert_output ''
	assert_equal "$stderr" 'pmap: 2 malformed records written to bad.csv'
	assert_equal "$(wc -l <log)" 1
}

# ---- rate, joblog, resume ---------------------------------------------------

@test "--rate N/DURATION spaces the starts" {
	SECONDS=0
	run -0 pmap --lines -j4 --rate 2/1s --joblog log -- true < <(seq 1 5)
	# 5 starts at 2 per second: the last one at least 2s after the first.
	run -0 awk -F'\t' 'NR == 2 {a = $3} NR == 6 {b = $3} END {print (b - a >= 1.9)}' log
	assert_output 1
}

@test "--joblog: GNU parallel's columns, one line per command" {
	run -1 pmap -a three.csv -j1 --joblog log -- sh -c 'echo $0; exit $(($0 - 1))' {id}
	run -0 cut -f1,2,5,6,7,8,9 log
	assert_output 'Seq	Host	Send	Receive	Exitval	Signal	Command
1	:	0	2	0	0	sh -c echo $0; exit $(($0 - 1)) 1
2	:	0	2	1	0	sh -c echo $0; exit $(($0 - 1)) 2
3	:	0	2	2	0	sh -c echo $0; exit $(($0 - 1)) 3'
}

@test "--resume skips the jobs that succeeded in the joblog" {
	seq 1 5 >five
	run -1 --separate-stderr pmap --lines -j1 --joblog log -a five -- sh -c 'echo $0; [ $0 != 2 ] && [ $0 != 4 ]'
	assert_output '1
2
3
4
5'
	run -0 pmap --lines -j1 --joblog log --resume -a five -- echo again
	assert_output 'again 2
again 4'
	run -0 pmap --lines -j1 --joblog log --resume -a five -- echo again
	assert_output ''
	assert_equal "$(grep -c '^Seq' log)" 1
}

# ---- signals ----------------------------------------------------------------

@test "SIGINT: stop, forward, wait, no lost output, status 130" {
	seq 1 40 >forty
	sigint_default pmap --lines -j2 --failed failed --joblog log -a forty -- sh -c 'sleep 0.2; echo $0' >out 2>err &
	local pid=$!
	wait_until has_lines out 2
	kill -INT "$pid"
	local st=0
	wait "$pid" || st=$?
	assert_equal "$st" 130
	# Every command that finished has its output, in order, nothing after.
	local n
	n=$(wc -l <out)
	[ "$n" -ge 2 ] && [ "$n" -lt 40 ]
	assert_equal "$(cat out)" "$(seq 1 "$n")"
	run tail -1 err
	assert_output --regexp '^pmap: interrupted by SIGINT: [0-9]+ of [0-9]+ commands failed$'
	# The killed ones are in --failed and in the joblog with signal 2.
	assert_equal "$(tail -n +1 failed | head -1)" "$((n + 1))"
	assert_equal "$(awk -F'\t' '$8 == 2' log | wc -l)" "$(wc -l <failed)"
	assert_equal "$(awk -F'\t' 'NR > 1 && $7 == 0' log | wc -l)" "$n"
}

@test "SIGINT: status 130 also when stdout's reader dies of it too" {
	mkfifo out
	sigint_default pmap --lines -j2 -- sh -c 'trap "echo bye \$0; exit 0" INT; echo $0; sleep 60 >/dev/null & wait' < <(seq 1 2) >out 2>err &
	local pid=$! first
	exec 5<out
	read -r first <&5
	assert_equal "$first" 1
	exec 5<&-	# the reader of pmap's stdout is gone
	kill -INT "$pid"
	local st=0
	wait "$pid" || st=$?
	assert_equal "$st" 130
	run tail -1 err
	assert_output --regexp '^pmap: interrupted by SIGINT: [0-2] of 2 commands failed$'
}

@test "a SIGINT ignored at start stays ignored: pmap and its commands" {
	# A job started with & by a script ignores SIGINT: so do pmap and the
	# commands it starts (each sends itself one).
	seq 1 6 >six
	pmap --lines -j2 -a six -- sh -c 'kill -INT $$; sleep 0.3; echo $0' >out 2>err &
	interrupt_and_wait $!
	assert_equal "$waited_status" 0
	assert_equal "$(cat out)" "$(seq 1 6)"
	assert_equal "$(cat err)" ''
}

@test "SIGTERM: status 1" {
	pmap --lines -j2 -- sh -c 'echo >>started; exec sleep 30' < <(printf '5\n5\n') >out 2>err &
	local pid=$!
	wait_until has_lines started 2
	kill -TERM "$pid"
	local st=0
	wait "$pid" || st=$?
	assert_equal "$st" 1
	assert_equal "$(tail -1 err)" 'pmap: interrupted by SIGTERM: 2 of 2 commands failed'
}

@test "a closed stdout ends pmap quietly with status 0" {
	run -0 --separate-stderr bash -c 'seq 1 100000 | pmap --lines -- echo | head -2'
	assert_output '1
2'
	assert_equal "$stderr" ''
}

# ---- usage ------------------------------------------------------------------

@test "usage errors: status 2" {
	run -2 pmap --timeout 1s 'id' three.csv
	assert_line --index 0 'pmap: --timeout is for command mode: pmap [OPTIONS] -- COMMAND [ARG...]'
	run -2 pmap -a three.csv 'id'
	assert_line --index 0 'pmap: -a is for command mode: pmap [OPTIONS] -- COMMAND [ARG...]'
	run -2 pmap three.csv -- echo
	assert_line --index 0 "pmap: unexpected 'three.csv' before --: input files come with -a FILE in command mode"
	run -2 pmap --timeout soon -- echo
	assert_line --index 0 "pmap: bad --timeout duration 'soon' (e.g. 500ms, 10s, 2m)"
	run -2 pmap --retries -1 -- echo
	assert_line --index 0 "pmap: --retries must be a number from 0 to 1000: '-1'"
	run -2 pmap --batch 0 -- echo
	assert_line --index 0 "pmap: --batch must be a number from 1 to 100000000: '0'"
	run -2 pmap --rate 10 -- echo
	assert_line --index 0 "pmap: bad --rate '10' (e.g. 10/1s)"
	run -2 pmap --pipe --batch 2 -- echo
	assert_line --index 0 'pmap: --pipe and --batch/--batch-key exclude each other'
	run -2 pmap --resume -- echo
	assert_line --index 0 'pmap: --resume needs --joblog FILE'
	run -2 pmap --batch-timeout 1s -- echo
	assert_line --index 0 'pmap: --batch-timeout needs --batch or --batch-key'
}

@test "a bad --batch-key is a usage error with a caret" {
	run -2 --separate-stderr pmap -a three.csv --batch-key 'nope +' -- cat
	assert_output ''
}

@test "expression mode is unchanged" {
	run -0 pmap 'id, m = n * 2' three.csv
	assert_output 'id,m
1,20
2,40
3,60'
	run -0 pmap -j2 id three.csv --
	assert_output 'id
1
2
3'
}

@test "malformed input stops with status 1, or goes to --bad" {
	printf 'a,b\n1,2\n3\n4,5\n' >bad.csv
	run --separate-stderr -1 pmap -j1 -a bad.csv -- echo {a}
	assert_output '1'
	assert_equal "$stderr" 'pmap: bad.csv:3 (record 2): too few fields'
	run --separate-stderr -0 pmap -j1 --bad rejects -a bad.csv -- echo {a}
	assert_output '1
4'
	assert_equal "$(cat rejects)" '3'
}

@test "command mode counts like every tool: --stats, --bad, --progress" {
	printf 'a,b\n1,2\n3\n4,5\n"6,7\n8,9\n' >bad.csv
	run -0 --separate-stderr pmap -j2 --stats --bad rejects -a bad.csv -- echo {a}
	assert_output '1
4
8'
	assert_equal "$(printf '3\n"6,7\n')" "$(cat rejects)"
	assert_equal "$(echo "$stderr" | wc -l)" 4
	assert_regex "$(echo "$stderr" | sed -n 1p)" '^pmap: 5 records in, 3 records out, 2 bad, 23 bytes, [0-9.]+s elapsed$'
	assert_regex "$(echo "$stderr" | sed -n 2p)" '^pmap: reader [0-9.]+s busy, [0-9.]+s waiting for a free batch; workers \(2\) [0-9.]+s busy, [0-9.]+s idle; in-order stage [0-9.]+s busy$'
	assert_equal "$(echo "$stderr" | sed -n 3p)" 'pmap: 2 malformed records written to rejects'
	assert_regex "$(echo "$stderr" | sed -n 4p)" '^pmap: 3 commands \(3 ok, 0 failed\), pmap [0-9.]+s CPU, commands [0-9.]+s CPU$'
	# The same counts as pfilter's, from the same reader.
	run -0 --separate-stderr pfilter -j2 --stats --bad rejects2 true bad.csv
	assert_regex "$(echo "$stderr" | sed -n 1p)" '^pfilter: 5 records in, 3 records out, 2 bad, 23 bytes, '
	# Records out are those of the commands that succeeded; a batch is
	# counted whole.
	run -1 --separate-stderr pmap -j1 --stats --bad rejects -a bad.csv -- test {a} -lt 5
	assert_equal "$(echo "$stderr" | sed -n 1p)" 'pmap: record 5: exit status 1'
	assert_regex "$(echo "$stderr" | sed -n 2p)" '^pmap: 5 records in, 2 records out, 2 bad, '
	assert_regex "$(echo "$stderr" | sed -n 6p)" '^pmap: 1 of 3 commands failed$'
	run -0 --separate-stderr pmap --stats --bad rejects --batch 2 -a bad.csv -- cat
	assert_regex "$(echo "$stderr" | sed -n 1p)" '^pmap: 5 records in, 3 records out, 2 bad, '
	# --progress: the engine's line, cleared at the end.
	run -0 --separate-stderr pmap -j1 --progress=always --bad rejects -a bad.csv -- echo {a}
	assert_output '1
4
8'
	assert_regex "$stderr" $'^\r\e\\[Kpmap: 0\\.0 MB, [0-9]+ records, [0-9]+ records/s, 100%, ETA 0s'
	assert_regex "$stderr" $'\r\e\\[Kpmap: 2 malformed records written to rejects$'
}

@test "--batch-key: a key that fails on a record (a regex) names it, on any -j" {
	python3 -c 'print("s\n" + ("a" * 30 + "\n") * 1000, end="")' >cat.csv
	for j in 1 3; do
		run -1 --separate-stderr pmap -j$j --batch-key 's =~ /(a|a)*c|d/' -a cat.csv -- echo
		assert_output ''
		assert_equal "$stderr" 'pmap: cat.csv:2 (record 1): regex error: match limit exceeded'
	done
}

# ---- worked cases on the crafted sample in tests/data/ ---------------------

@test "tests/data: one command per record with fields as arguments" {
	cd "$PFLOW_SOURCE"
	run -0 bash -c "head -4 tests/data/flights.csv | pmap -- echo {origin} to {destination}"
	assert_output 'ATL to BOS
DEN to SFO
ATL to PHX'
}

@test "tests/data: one command per key (Broadway batching)" {
	cd "$PFLOW_SOURCE"
	run -0 pmap -j1 -a tests/data/flights.csv --batch-key origin -- sh -c 'echo "$PFLOW_BATCH_KEY $(tail -n +2 | wc -l)"'
	assert_output 'ATL 203
DEN 211
SFO 180
JFK 184
LAX 203
PHX 211
DFW 213
BOS 199
SEA 188
ORD 208'
}

@test "tests/data: --pipe counts lines per chunk" {
	cd "$PFLOW_SOURCE"
	run -0 pmap --pipe -a tests/data/flights.csv -- wc -l
	assert_output '2001'
}

@test "tests/data: --failed then feed the failures back" {
	cd "$PFLOW_SOURCE"
	run -1 --separate-stderr pmap -a tests/data/flights.csv --failed "$BATS_TEST_TMPDIR/far.csv" -- test {distance} -lt 2695
	assert_equal "$stderr" 'pmap: record 444: exit status 1
pmap: record 1937: exit status 1
pmap: record 1962: exit status 1
pmap: 3 of 2000 commands failed'
	run -0 pmap -a "$BATS_TEST_TMPDIR/far.csv" -- echo {date} {distance}
	assert_output '2001-01-07T22:10 2699
2001-01-31T17:21 2697
2001-01-31T22:43 2695'
}
