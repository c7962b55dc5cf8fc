#!/usr/bin/env bats
# pmap-safety.bats - pmap's command mode runs exactly what the user meant:
# --resume trusts only well-formed joblog lines, a start that finds no free
# descriptor waits instead of failing, a NUL byte never cuts an argument,
# and a record given to the script of sh -c is a value, never code.

load helper
bats_require_minimum_version 1.5.0

HEADER=$(printf 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand')

setup() {
	cd "$BATS_TEST_TMPDIR"
	seq 1 5 >five
}

# A joblog line: SEQ EXITVAL [SIGNAL].
logline() {
	printf '%s\t:\t1796000000.000\t0.010\t0\t2\t%s\t%s\techo %s\n' \
	    "$1" "$2" "${3:-0}" "$1"
}

# Fails unless every line of the joblog $1 is the header or nine columns
# with numbers where pmap reads them, each ending in a newline.
assert_joblog_wellformed() {
	run -0 python3 -c '
import re, sys
data = open(sys.argv[1], "rb").read()
assert data.endswith(b"\n"), "no final newline"
lines = data.decode().split("\n")[:-1]
assert lines[0].startswith("Seq\t"), lines[0]
for l in lines[1:]:
    c = l.split("\t")
    assert len(c) == 9 and re.fullmatch(r"[1-9][0-9]*", c[0]) and \
        re.fullmatch(r"-?[0-9]+", c[6]) and re.fullmatch(r"[0-9]+", c[7]), l
print(len(lines) - 1)
' "$1"
}

# Skips what cannot run under the valgrind wrapper (it needs descriptors).
no_valgrind() {
	[ -z "${PFLOW_VALGRIND:-}" ] || skip "valgrind needs file descriptors"
}

# ---- --resume: the joblog ---------------------------------------------------

@test "--resume: a job number of 1e9 costs no memory and skips nothing else" {
	[ -x /usr/bin/time ] || skip "GNU time (package time) is not installed"
	{ echo "$HEADER"; logline 1000000000 0; logline 2 0; logline 4 1; } >log
	run -0 --separate-stderr /usr/bin/time -f %M -o rss \
	    pmap --lines -j1 --joblog log --resume -a five -- echo run
	assert_output 'run 1
run 3
run 4
run 5'
	assert_equal "$stderr" ''
	# The old bitmap indexed by job number took 2 GB here.
	[ "$(cat rss)" -lt 200000 ]
	run -0 cut -f1,7 log
	assert_output "Seq	Exitval
1000000000	0
2	0
4	1
1	0
3	0
4	0
5	0"
}

@test "--resume: job numbers past 2^32 and up to 2^64-1 are kept, not allocated" {
	{ echo "$HEADER"; logline 18446744073709551615 0; logline 4294967297 0
	    logline 3 0; } >log
	run -0 pmap --lines -j1 --joblog log --resume -a five -- echo run
	assert_output 'run 1
run 2
run 4
run 5'
}

@test "--resume: a malformed joblog line is named; nothing runs; status 1" {
	{ echo "$HEADER"; logline 1 0; echo 'not a joblog line'; logline 2 0; } >log
	cp log log.before
	run -1 --separate-stderr pmap --lines -j1 --joblog log --resume -a five -- echo run
	assert_output ''
	assert_equal "$stderr" 'pmap: log:3: malformed joblog line'
	cmp log log.before
}

@test "--resume: each kind of malformed line is refused" {
	local bad
	for bad in "$(logline 0 0)" "$(logline 18446744073709551616 0)" \
	    "$(logline 1x 0)" "$(logline 1 zero)" "$(logline 1 0 -)" \
	    "$(logline 1 0 | cut -f1-8)" "" "$HEADER" " 1$(logline 1 0 | cut -f2-)"; do
		{ echo "$HEADER"; logline 1 0; printf '%s\n' "$bad"; } >log
		run -1 --separate-stderr pmap --lines -j1 --joblog log --resume -a five -- echo run
		assert_output ''
		assert_equal "$stderr" 'pmap: log:3: malformed joblog line'
	done
}

@test "--resume: a failed or killed job runs again; a success in any line counts" {
	{ echo "$HEADER"; logline 1 1; logline 2 -1 9; logline 3 1; logline 3 0
	    logline 5 0; } >log
	run -0 pmap --lines -j1 --joblog log --resume -a five -- echo run
	assert_output 'run 1
run 2
run 4'
}

@test "--resume: a last line cut short does not count; the joblog stays whole" {
	{ echo "$HEADER"; logline 1 0; logline 2 0 | head -c 20; } >log
	run -0 --separate-stderr pmap --lines -j1 --joblog log --resume -a five -- echo run
	assert_output 'run 2
run 3
run 4
run 5'
	assert_equal "$stderr" 'pmap: log:3: last line cut short: its job will run again'
	assert_joblog_wellformed log
	assert_output 5
	run -0 cut -f1,9 log
	assert_output "Seq	Command
1	echo 1
2	echo run 2
3	echo run 3
4	echo run 4
5	echo run 5"
	# And the next --resume reads it whole: nothing left to do.
	run -0 --separate-stderr pmap --lines -j1 --joblog log --resume -a five -- echo run
	assert_output ''
	assert_equal "$stderr" ''
}

@test "--resume: a cut-short header is dropped and written again" {
	printf 'Seq\tHost\tStart' >log
	run -0 --separate-stderr pmap --lines -j1 --joblog log --resume -a five -- echo run
	assert_equal "$(echo "$output" | wc -l)" 5
	assert_equal "$stderr" 'pmap: log:1: last line cut short: its job will run again'
	assert_joblog_wellformed log
	assert_output 5
}

@test "--resume: a joblog written by a crash mid-line, end to end" {
	seq 1 20 >twenty
	run -1 pmap --lines -j3 --joblog log -a twenty -- sh -c '[ $(($1 % 7)) != 0 ]' sh {}
	# Simulate a crash while the last line was written.
	head -c -7 log >cut && mv cut log
	last=$(tail -n 1 log | cut -f1)
	run -0 --separate-stderr pmap --lines -j3 --joblog log --resume -a twenty -- echo {}
	# The jobs that failed (7, 14) and the one whose line was cut run again.
	assert_output "$(printf '%s\n' 7 14 "$last" | sort -n | uniq)"
	assert_joblog_wellformed log
}

# ---- out of file descriptors ------------------------------------------------

@test "ulimit -n 16, -j8, 2000 records: every command runs; --stats counts the waits" {
	no_valgrind
	seq 1 2000 >recs
	run -0 --separate-stderr bash -c 'ulimit -n 16
	    for fd in $(seq 3 15); do eval "exec $fd>&-"; done
	    pmap --stats --lines -j8 -a recs -- echo {}'
	assert_output "$(seq 1 2000)"
	assert_equal "$(echo "$stderr" | wc -l)" 3
	assert_regex "$(echo "$stderr" | sed -n 1p)" '^pmap: 2000 records in, 2000 records out, 0 bad, 8893 bytes, [0-9.]*s elapsed$'
	assert_regex "$(echo "$stderr" | sed -n 3p)" '^pmap: 2000 commands \(2000 ok, 0 failed\), .*, [1-9][0-9]* starts? waited for a free descriptor or process$'
}

@test "out of descriptors with no command running is a failure" {
	no_valgrind
	run -1 --separate-stderr bash -c 'ulimit -n 9
	    for fd in $(seq 3 15); do eval "exec $fd>&-"; done
	    pmap --lines -j2 -a five -- echo {}'
	assert_output ''
	assert_equal "$stderr" 'pmap: record 1: cannot run echo: Too many open files
pmap: 5 of 5 commands failed
pmap: 4 more could not be run for the same reason: Too many open files'
}

@test "--stats without waits has no count of them" {
	run -0 --separate-stderr pmap --stats --lines -j2 -a five -- true
	assert_equal "$(echo "$stderr" | wc -l)" 3
	assert_regex "$(echo "$stderr" | sed -n 3p)" '^pmap: 5 commands \(5 ok, 0 failed\), pmap [0-9.]*s CPU, commands [0-9.]*s CPU$'
}

# ---- NUL bytes --------------------------------------------------------------

@test "a NUL in a field that is an argument: warned with FILE:LINE, failed, not cut" {
	printf 'a,b\n1,x\0y\n2,"p\nq"\n3,r\0\n4,s\n' >nul.csv
	run -1 --separate-stderr pmap -a nul.csv -j1 --failed failed.csv \
	    --joblog log -- echo {a} {b}
	assert_output '2 p
q
4 s'
	assert_equal "$stderr" 'pmap: nul.csv:2 (record 1): an argument would hold a NUL byte: not run
pmap: nul.csv:5 (record 3): an argument would hold a NUL byte: not run
pmap: 2 of 4 commands failed'
	printf 'a,b\n1,x\0y\n3,r\0\n' >expected.csv
	cmp failed.csv expected.csv
	run -0 cut -f1,7 log
	assert_output "Seq	Exitval
1	127
2	0
3	127
4	0"
	local err=$stderr
	# Small chunks: the records and their lines are counted across them.
	run -1 --separate-stderr pmap -a nul.csv -j4 --chunk 16 --queue 3 -- echo {a} {b}
	assert_output '2 p
q
4 s'
	assert_equal "$stderr" "$err"
}

@test "a NUL in a field that is no argument does not matter" {
	printf 'a,b\n1,x\0y\n2,z\n' >nul.csv
	run -0 pmap -a nul.csv -- echo {a}
	assert_output '1
2'
}

@test "a NUL in {}, in the record added as last argument, and under --halt" {
	printf 'x\0y\nok\n' >nul.txt
	run -1 --separate-stderr pmap --lines -j1 -a nul.txt -- echo '[{}]'
	assert_output '[ok]'
	assert_equal "$stderr" 'pmap: nul.txt:1 (record 1): an argument would hold a NUL byte: not run
pmap: 1 of 2 commands failed'
	run -1 --separate-stderr pmap --lines -j1 -- echo < nul.txt
	assert_output 'ok'
	assert_equal "$stderr" 'pmap: stdin:1 (record 1): an argument would hold a NUL byte: not run
pmap: 1 of 2 commands failed'
	run -1 --separate-stderr pmap --lines -j1 --halt -a nul.txt -- echo
	assert_output ''
	assert_equal "$stderr" 'pmap: nul.txt:1 (record 1): an argument would hold a NUL byte: not run
pmap: stopped at the first failure (--halt): 1 of 1 commands failed'
}

@test "--batch: a NUL in the first record's argument fails the batch; NULs on stdin pass" {
	printf 'a\nb\n\0x\nc\nd\n' >nul.txt
	run -1 --separate-stderr pmap --lines -j1 --batch 2 -a nul.txt -- sh -c 'echo "$0:"; tr "\0" @' {}
	assert_output 'a:
a
b
d:
d'
	assert_equal "$stderr" 'pmap: nul.txt:3 (record 3): an argument would hold a NUL byte: not run
pmap: 1 of 3 commands failed'
	run -0 pmap --lines -j1 --batch 2 -a nul.txt -- tr '\0' @
	assert_output 'a
b
@x
c
d'
}

# ---- sh -c SCRIPT: values passed beside the script ---------------------------

# Records that a shell would run or mangle if pasted raw into its script.
evil_lines() {
	printf '%s\n' '$(id -u)' '`id -u`' "it's" "'" "''" '"double" "' \
	    'a  b	c' '' '\n \\ \' '$HOME ${x:-y} $((1+1))' '; touch pwned #' \
	    '*' '~' '{} {#}' '-n' '!!' 'é ✓'
}

@test "sh -c 'script {}': the script sees the record's text, for every shell" {
	evil_lines >evil.txt
	local sh
	for sh in sh dash bash zsh /bin/sh; do
		command -v $sh >/dev/null || continue
		run -0 pmap --lines -j4 -a evil.txt -- $sh -c 'printf "%s\n" {}'
		assert_output "$(cat evil.txt)"
	done
	[ ! -e pwned ]
}

@test "sh -c with options before -c, and {name} fields of CSV" {
	evil_lines | python3 -c '
import csv, sys
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["n", "text"])
for i, l in enumerate(sys.stdin.read().split("\n")[:-1]):
    w.writerow([i, l + "\nline two"])
' >evil.csv
	run -0 python3 -c '
import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="")):
    print(r["n"] + "=" + r["text"])
' evil.csv
	local expected=$output
	run -0 pmap -a evil.csv -j4 -- bash -ec 'printf "%s=%s\n" {n} {text}'
	assert_output "$expected"
	run -0 pmap -a evil.csv -j4 -- bash -o pipefail -c 'printf "%s=%s\n" {1} {2} | cat'
	assert_output "$expected"
	run -0 pmap -a evil.csv -j4 -- bash -c -e -- 'printf "%s=%s\n" {n} {text}'
	assert_output "$expected"
	run -0 pmap -a evil.csv -j4 -- sh -c -- 'printf "%s=%s\n" {n} {text}'
	assert_output "$expected"
	run -0 pmap -a evil.csv -j4 -- /usr/bin/env sh -c 'printf "%s=%s\n" "$1" "$2"' sh {n} {text}
	assert_output "$expected"
	[ ! -e pwned ]
}

@test "sh -c: the other arguments get the raw value; other commands too" {
	printf '%s\n' "it's" '$(id -u)' >two.txt
	run -0 pmap --lines -j1 -a two.txt -- sh -c 'printf "[%s]\n" "$1" {}' sh '<{}>'
	assert_output "[<it's>]
[it's]
[<\$(id -u)>]
[\$(id -u)]"
	run -0 pmap --lines -j1 -a two.txt -- printf '[%s]\n' 'sh -c {}'
	assert_output "[sh -c it's]
[sh -c \$(id -u)]"
}

@test "sh -c: an empty or missing field is an empty word, {#} a number" {
	printf 'a,b\n1,\n2\n' >short.csv
	run -0 --separate-stderr pmap -a short.csv --bad bad.csv -j1 -- sh -c 'printf "<%s>" {#} {b} {a}; echo'
	assert_output '<1><><1>'
	printf '1\n2\n' >lines
	run -0 pmap --lines -d , -j1 -a lines -- sh -c 'printf "<%s>" {2} {1}; echo'
	assert_output '<><1>
<><2>'
}

@test "sh -c: the joblog shows the script as run, the values after it" {
	printf '%s\n' "it's" >one.txt
	run -0 pmap --lines -a one.txt --joblog log -- sh -c 'echo {} "$@"' zero a
	assert_output "it's a"
	run -0 cut -f9 log
	assert_output "Command
sh -c pflow_record=\${1}; shift 1; echo \"\${pflow_record}\" \"\$@\" zero it's a"
}

@test "sh -c: hostile values through every placeholder, quote and shell form" {
	# The child sees exact bytes and nothing runs (tests/pmap_shell_values.py).
	run -0 python3 "$PFLOW_SOURCE/tests/pmap_shell_values.py"
	assert_output --partial ' 0 failed'
}

@test "sh -c: a placeholder in quotes or after --rcfile is passed, not pasted" {
	# The reproducers of issue 26: each created pwned.
	printf 'name\n$(touch pwned)\n' >in.csv
	run -0 pmap -a in.csv -- sh -c 'echo "{name}"'
	assert_output '$(touch pwned)'
	run -0 pmap -a in.csv -- sh -c "echo '{name}'"
	assert_output '$(touch pwned)'
	run -0 pmap -a in.csv -- bash --rcfile /dev/null -c 'echo {name}'
	assert_output '$(touch pwned)'
	run -0 pmap -a in.csv -- nice -n 1 bash -c 'echo $'"'"'<\t{name}>'"'"
	assert_output "<	\$(touch pwned)>"
	[ ! -e pwned ]
}

@test "sh -c: \${name} is the shell's; a placeholder where nothing expands is refused" {
	printf 'x,name\n1,$(touch pwned)\n' >in.csv
	run -0 pmap -a in.csv -- sh -c 'x=shell; echo ${x} {x}'
	assert_output 'shell 1'
	run -2 --separate-stderr pmap -a in.csv -- sh -c "cat <<'EOF'
{name}
EOF"
	assert_output ''
	assert_equal "$stderr" "pmap: {name} in the script of sh -c: a value cannot be passed where nothing expands (a quoted here-document, after a backslash); pass it as an argument after the script"
	run -2 --separate-stderr pmap -a in.csv -- sh -c 'echo \{name}'
	assert_equal "$stderr" "pmap: {name} in the script of sh -c: a value cannot be passed where nothing expands (a quoted here-document, after a backslash); pass it as an argument after the script"
	[ ! -e pwned ]
}
