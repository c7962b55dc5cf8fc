#!/usr/bin/env bats
# The zsh completion (completions/_pflow) in a real interactive zsh with
# the real compsys: tests/zsh_complete.zsh types the keys on a
# pseudo-terminal and prints, after each TAB, the list of matches the
# terminal showed and the line editor's buffer (the cursor as ‸).
# Where a completed line is a whole command, it is run.

load helper

setup() {
	command -v zsh >/dev/null || skip "zsh is absent"
	zsh -fc 'zmodload zsh/zpty' 2>/dev/null || skip "zsh/zpty is absent"
	cd "$BATS_TEST_TMPDIR"
	ln -s "$PFLOW_SOURCE/data" data
	printf 'Major Genre,Score,Name\nDrama,3,x\nComedy,1,y\n' > g.csv
	# compinit without a dump file scans fpath (a second); the file's
	# tests share one
	export ZSH_COMPLETE_DUMP=$BATS_FILE_TMPDIR/zcompdump
}

# zsh_complete KEYS: types KEYS (\t is TAB, \C-a goes to the start of the
# line) into a real zsh; a hung shell fails the test after 10 s a TAB.
zsh_complete() {
	timeout -k 5 60 zsh -f "$PFLOW_SOURCE/tests/zsh_complete.zsh" "$@"
}

# run_buffer: runs the last buffer zsh_complete printed as a command.
run_buffer() {
	local line=${lines[${#lines[@]} - 1]}
	run bash -c "${line/‸/}"
}

@test "real zsh: preduce -k completes the fields of the file typed after the cursor" {
	# the file first, then back to the start of the line for the command
	run zsh_complete ' data/flights.csv\C-apreduce -k \tor\t mean:de\t'
	assert_output 'date         delay        destination  distance     origin
preduce -k ‸ data/flights.csv
preduce -k origin,‸ data/flights.csv
delay        destination
preduce -k origin mean:de‸ data/flights.csv'
	run zsh_complete ' data/flights.csv\C-apflow reduce -k or\t'
	assert_output 'pflow reduce -k origin,‸ data/flights.csv'
	# a key's ',' gives way to ':' and ptakesort's suffixes, one after another
	run zsh_complete ' data/flights.csv\C-aptakesort -k date,d\tel\t:n\t'
	assert_output 'date         delay        destination  distance
ptakesort -k date,d‸ data/flights.csv
ptakesort -k date,delay,‸ data/flights.csv
ptakesort -k date,delay:num:‸ data/flights.csv'
}

@test "real zsh: a field name with a space completes quoted, and the command runs" {
	run zsh_complete ' g.csv\C-apreduce -k Maj\t count'
	assert_output 'preduce -k Major\ Genre,‸ g.csv
preduce -k Major\ Genre count‸ g.csv'
	run_buffer
	assert_output 'Major Genre,count
Drama,1
Comedy,1'
	# in an expression: braced, inside the quotes
	run zsh_complete "' g.csv\\C-apfilter 'Maj\\t== \"Drama\""
	assert_output "pfilter '{Major Genre} ‸' g.csv
pfilter '{Major Genre} == \"Drama\"‸' g.csv"
	run_buffer
	assert_output 'Major Genre,Score,Name
Drama,3,x'
	# unquoted: braced and escaped, one word
	run zsh_complete ' g.csv\C-apmap Ma\t'
	assert_output 'pmap \{Major\ Genre\} ‸ g.csv'
}

@test "real zsh: inside a quoted expression: fields, then functions with '('" {
	run zsh_complete "' data/flights.csv\\C-apfilter -c 'de\\tl\\t> 100 && len(or\\t\\b) == 3"
	assert_output "delay        destination
pfilter -c 'de‸' data/flights.csv
pfilter -c 'delay ‸' data/flights.csv
pfilter -c 'delay > 100 && len(origin ‸' data/flights.csv
pfilter -c 'delay > 100 && len(origin) == 3‸' data/flights.csv"
	run_buffer
	assert_output "$(awk -F, 'NR > 1 && $2 > 100 && length($4) == 3' data/flights.csv | wc -l)"
	# a function: its '(' too, the cursor kept inside the quotes
	run zsh_complete "' data/flights.csv\\C-apfilter -c 'strf\\t"
	assert_output "pfilter -c 'strftime(‸' data/flights.csv"
	# functions need no file
	run zsh_complete "pmap 'u = up\\t"
	assert_output "pmap 'u = upper(‸"
	run zsh_complete "' g.csv\\C-apmap 'n = len({Ma\\t"
	assert_output "pmap 'n = len({Major Genre} ‸' g.csv"
}

@test "real zsh: pflow completes tool names and verbs, then the tool's words" {
	run zsh_complete 'pflow \t'
	assert_output '--help     head       join       reduce     tail
--version  headers    map        scan       takesort
filter     help       partition  stats      view
pflow ‸'
	run zsh_complete 'pflow sca\tdata/flights.csv la\tdi\t'
	assert_output 'pflow scan ‸
pflow scan data/flights.csv lag:‸
pflow scan data/flights.csv lag:distance ‸'
	run zsh_complete 'pflow help e\t'
	assert_output 'pflow help expressions ‸'
}

@test "real zsh: pjoin -k completes the stream's fields, then TABLE's after '='" {
	run zsh_complete ' data/countries.csv data/navaids.csv\C-apjoin -k iso_c\t=co\tn\t'
	assert_output 'pjoin -k iso_country,‸ data/countries.csv data/navaids.csv
code       continent
pjoin -k iso_country=co‸ data/countries.csv data/navaids.csv
pjoin -k iso_country=continent,‸ data/countries.csv data/navaids.csv'
}
