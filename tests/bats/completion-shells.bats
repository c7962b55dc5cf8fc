#!/usr/bin/env bats
# The completions in real interactive shells: zsh with the real compsys
# and completions/_pflow (tests/zsh_complete.zsh, on a zsh/zpty
# pseudo-terminal), bash with readline and completions/pflow.bash
# (tests/bash_complete.py, on a Python pty). Each types the keys and
# prints, after each TAB, the list of matches the terminal showed and the
# line editor's buffer (the cursor as ‸). Where a completed line is a
# whole command, it is run.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	ln -s "$PFLOW_SOURCE/data" data
	printf 'Major Genre,Score,Name\nDrama,3,x\nComedy,1,y\n' > g.csv
	# compinit without a dump file scans fpath (a second); the file's
	# tests share one
	export ZSH_COMPLETE_DUMP=$BATS_FILE_TMPDIR/zcompdump
}

# zsh_complete KEYS: types KEYS (\t is TAB, \C-a goes to the start of the
# line) into a real zsh; a hung shell fails the test after 30 s a TAB.
zsh_complete() {
	timeout -k 5 120 zsh -f "$PFLOW_SOURCE/tests/zsh_complete.zsh" "$@"
}

# bash_complete KEYS: the same in a real bash.
bash_complete() {
	timeout -k 5 120 python3 "$PFLOW_SOURCE/tests/bash_complete.py" "$@"
}

need_zsh() {
	command -v zsh >/dev/null || skip "zsh is absent"
	zsh -fc 'zmodload zsh/zpty' 2>/dev/null || skip "zsh/zpty is absent"
}

need_python() {
	command -v python3 >/dev/null || skip "python3 is absent"
}

# run_buffer: runs the last buffer a shell printed as a command.
run_buffer() {
	local line=${lines[${#lines[@]} - 1]}
	run bash -c "${line/‸/}"
}

@test "zsh: preduce -k completes the fields of the file typed after the cursor" {
	need_zsh
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

@test "bash: preduce -k completes the fields of the file typed after the cursor" {
	need_python
	run bash_complete ' data/flights.csv\C-apreduce -k \tor\t mean:de\t'
	assert_output 'date         delay        destination  distance     origin
preduce -k ‸ data/flights.csv
preduce -k origin‸ data/flights.csv
delay        destination
preduce -k origin mean:de‸ data/flights.csv'
	run bash_complete ' data/flights.csv\C-apflow reduce -k \t'
	assert_output 'date         delay        destination  distance     origin
pflow reduce -k ‸ data/flights.csv'
	run bash_complete ' data/flights.csv\C-aptakesort -k date,d\tel\t:n\t'
	assert_output 'date,date         date,delay        date,destination  date,distance
ptakesort -k date,d‸ data/flights.csv
ptakesort -k date,delay‸ data/flights.csv
ptakesort -k date,delay:num‸ data/flights.csv'
}

@test "zsh: a field name with a space completes quoted, and the command runs" {
	need_zsh
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

@test "bash: a field name with a space completes quoted, and the command runs" {
	need_python
	run bash_complete ' g.csv\C-apreduce -k Maj\t count'
	assert_output 'preduce -k Major\ Genre‸ g.csv
preduce -k Major\ Genre count‸ g.csv'
	run_buffer
	assert_output 'Major Genre,count
Drama,1
Comedy,1'
	run bash_complete "' g.csv\\C-apfilter 'Maj\\t == \"Drama\""
	assert_output "pfilter '{Major Genre}‸' g.csv
pfilter '{Major Genre} == \"Drama\"‸' g.csv"
	run_buffer
	assert_output 'Major Genre,Score,Name
Drama,3,x'
	run bash_complete ' g.csv\C-apmap Ma\t'
	assert_output 'pmap \{Major\ Genre\}‸ g.csv'
}

@test "zsh: inside a quoted expression: fields, then functions with '('" {
	need_zsh
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
	run zsh_complete "' g.csv\\C-apmap 'n = len({Ma\\t"
	assert_output "pmap 'n = len({Major Genre} ‸' g.csv"
}

@test "bash: inside a quoted expression: fields, then functions with '('" {
	need_python
	run bash_complete "' data/flights.csv\\C-apfilter -c 'de\\tl\\t > 100 && len(or\\t) == 3"
	assert_output "'delay        'destination
pfilter -c 'de‸' data/flights.csv
pfilter -c 'delay‸' data/flights.csv
pfilter -c 'delay > 100 && len(origin‸' data/flights.csv
pfilter -c 'delay > 100 && len(origin) == 3‸' data/flights.csv"
	run_buffer
	assert_output "$(awk -F, 'NR > 1 && $2 > 100 && length($4) == 3' data/flights.csv | wc -l)"
	run bash_complete "' data/flights.csv\\C-apfilter -c 'strf\\t"
	assert_output "pfilter -c 'strftime(‸' data/flights.csv"
	run bash_complete "' g.csv\\C-apmap 'n = len({Ma\\t"
	assert_output "pmap 'n = len({Major Genre}‸' g.csv"
}

# in_shells: sets shells to the drivers of the shells here; skips the
# test without any.
in_shells() {
	shells=()
	command -v zsh >/dev/null && zsh -fc 'zmodload zsh/zpty' 2>/dev/null &&
	    shells+=(zsh_complete)
	command -v python3 >/dev/null && shells+=(bash_complete)
	((${#shells[@]})) || skip "neither zsh with zsh/zpty nor python3"
}

@test "zsh and bash: pflow completes tool names and verbs, then the tool's words" {
	local complete shells
	in_shells
	for complete in "${shells[@]}"; do
		run $complete 'pflow \t'
		assert_output '--help     head       join       reduce     tail
--version  headers    map        scan       takesort
filter     help       partition  stats      view
pflow ‸'
		run $complete 'pflow sca\tdata/flights.csv la\tdi\t'
		assert_output 'pflow scan ‸
pflow scan data/flights.csv lag:‸
pflow scan data/flights.csv lag:distance ‸'
		run $complete 'pflow help e\t'
		assert_output 'pflow help expressions ‸'
		# view takes files, no expression (bash lists the files too)
		run $complete ' data/flights.csv\C-apflow view de\t'
		assert_output 'pflow view de‸ data/flights.csv'
		run $complete 'pflow view data/fl\t'
		assert_equal "${lines[${#lines[@]} - 1]}" 'pflow view data/flights.‸'
	done
}

@test "zsh: pjoin -k completes the stream's fields, then TABLE's after '='" {
	need_zsh
	run zsh_complete ' data/countries.csv data/navaids.csv\C-apjoin -k iso_c\t=co\tn\t'
	assert_output 'pjoin -k iso_country,‸ data/countries.csv data/navaids.csv
code       continent
pjoin -k iso_country=co‸ data/countries.csv data/navaids.csv
pjoin -k iso_country=continent,‸ data/countries.csv data/navaids.csv'
}

@test "bash: pjoin -k completes the stream's fields, then TABLE's after '='" {
	need_python
	run bash_complete ' data/countries.csv data/navaids.csv\C-apjoin -k iso_c\t=co\tn\t'
	assert_output 'pjoin -k iso_country‸ data/countries.csv data/navaids.csv
code       continent
pjoin -k iso_country=co‸ data/countries.csv data/navaids.csv
pjoin -k iso_country=continent‸ data/countries.csv data/navaids.csv'
}
