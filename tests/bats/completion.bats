#!/usr/bin/env bats
# Shell completion (completions/pflow.bash, completions/_pflow): options,
# option arguments, preduce's AGGs, ptakesort's key suffixes and the field
# names of the header of a file on the command line. completion-shells.bats
# types into a real bash and a real zsh.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	ln -s "$PFLOW_SOURCE/data" data
	source "$PFLOW_SOURCE/completions/pflow.bash"
	COMP_WORDBREAKS=$' \t\n"\'><=;|&(:'
}

# complete WORD... : completes the last WORD as bash would (COMP_WORDS
# split at ':' and '=' as COMP_WORDBREAKS says); output is COMPREPLY, one
# a line.
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_pflow
	printf '%s\n' "${COMPREPLY[@]}"
}

# complete_at INDEX WORD...: the same, completing the word at INDEX.
complete_at() {
	COMP_CWORD=$1
	shift
	COMP_WORDS=("$@")
	COMPREPLY=()
	_pflow
	printf '%s\n' "${COMPREPLY[@]}"
}

@test "one complete -F per tool, and one for the front command" {
	run complete -p pfilter pmap preduce ptakesort ppartition pjoin pflow
	assert_output 'complete -o default -F _pflow pfilter
complete -o default -F _pflow pmap
complete -o default -F _pflow preduce
complete -o default -F _pflow ptakesort
complete -o default -F _pflow ppartition
complete -o default -F _pflow pjoin
complete -o default -F _pflow_front pflow'
}

# complete_front WORD...: as complete_words, for the front command.
complete_front() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_pflow_front
	printf '%s\n' "${COMPREPLY[@]}"
}

@test "pflow: tool names, help's argument, then each tool's own words" {
	run complete_front pflow ''
	assert_output 'filter
map
reduce
takesort
partition
join
scan
view
stats
head
tail
headers
help
--help
--version'
	run complete_front pflow view --ox
	assert_output '--oxtab'
	run complete_front pflow view data/flights.csv -D ''
	assert_output "$(printf '%s\n' , ';' '\t' '|')"
	run complete_front pflow help t
	assert_output 'takesort
tail'
	run complete_front pflow help e
	assert_output 'expressions'
	run complete_front pflow reduce --mer
	assert_output '--merge'
	run complete_front pflow reduce data/flights.csv -k or
	assert_output 'origin'
	run complete_front pflow reduce data/flights.csv mean : de
	assert_output 'delay
destination'
	run complete_front pflow frobnicate -
	assert_output ''
}

@test "pscan: its options, STEPs, then the fields after FUNC:" {
	run complete_words pscan --ti
	assert_output '--time'
	run complete_words pscan data/flights.csv -k ''
	assert_line 'origin'
	run complete_words pscan data/flights.csv r
	assert_output $'rank\nratio:'
	run complete_words pscan data/flights.csv lag : de
	assert_output $'delay\ndestination'
	run complete_front pflow scan data/flights.csv fi
	assert_output $'first:\nfill:'
}

@test "options: each tool's own, then the common ones" {
	run complete_words pfilter --in
	assert_output '--invert'
	run complete_words pmap --ba
	assert_output '--batch
--batch-timeout
--batch-key
--bad'
	run complete_words preduce --
	assert_output '--key
--keys
--partial
--merge
--every
--interval
--window
--time
--lateness
--pivot
--summary
--memory
--csv
--tsv
--lines
--jsonl
--ijsonl
--delimiter
--no-header
--names
--union
--ocsv
--otsv
--ojsonl
--otable
--oxtab
--omd
--out-delimiter
--bad
--jobs
--chunk
--queue
--flush
--progress
--progress=always
--stats
--strict
--help
--version'
	run complete_words ptakesort -
	assert_output '-n
--count
-k
--key
--keys
-g
--group
--sample
--seed
--memory
-T
--temporary-directory
--csv
--tsv
--lines
--jsonl
--ijsonl
-d
--delimiter
-H
--no-header
--names
--union
--ocsv
--otsv
--ojsonl
--otable
--oxtab
--omd
-D
--out-delimiter
--bad
-j
--jobs
--chunk
--queue
--flush
--progress
--progress=always
--stats
--strict
-h
--help
--version'
	run complete_words ppartition --b
	assert_output '--by-value
--broadcast
--bad'
	run complete_words ppartition --h
	assert_output '--header-once
--help'
}

@test "option arguments" {
	run complete_words preduce --chunk ''
	assert_output '64K
256K
1M
4M
16M'
	run complete_words pfilter -d ''
	assert_output ',
;
\t
|'
	# --progress=<TAB>: bash splits at '=', the reply replaces what follows
	run complete_words preduce --progress = ''
	assert_output 'always'
	run complete_words preduce --window ti
	assert_output 'time:'
	run complete_words pmap -j ''
	assert_output ''
}

@test "-k: field names from the header of the file on the line, wherever it is" {
	run complete_at 2 preduce -k '' data/flights.csv
	assert_output 'date
delay
distance
origin
destination'
	run complete_words ppartition data/navaids.csv -n 4 -k iso
	assert_output 'iso_country'
	# the last item of a comma list
	run complete_at 2 ptakesort -k date,d data/flights.csv
	assert_output 'date,date
date,delay
date,distance
date,destination'
	# pmap -a FILE is an input too
	run complete_words ppartition -a data/flights.csv -n 2 -k or
	assert_output 'origin'
	# no file on the line: nothing to offer
	run complete_words preduce -k ''
	assert_output ''
}

@test "-k: TSV, -d, BOM, CRLF and quoted header names" {
	printf 'a b\tc\r\n1\t2\n' > x.tsv
	# a name with a space is inserted escaped for the shell
	run complete_words ptakesort --tsv x.tsv -k ''
	assert_output 'a\ b
c'
	# with ',' or ':' braced for the key list, then escaped
	printf '\357\273\277"a,1";b;"say ""x"""\r\n' > q.csv
	run complete_words preduce -d ';' q.csv -k ''
	assert_output '\{a\,1\}
b
say\ \"x\"'
	# typed in quotes: the replies keep the quote, nothing escaped
	run complete_words preduce -d ';' q.csv -k "'s"
	assert_output "'say \"x\""
	printf 'x,y\n' > plain.csv
	run complete_words preduce -H plain.csv -k ''
	assert_output ''
	run complete_words preduce --lines plain.csv -k ''
	assert_output ''
}

@test "preduce AGGs: count and FUNC:, then FUNC:FIELD" {
	run complete_words preduce data/flights.csv ''
	assert_output 'count
count:
sum:
mean:
min:
max:
first:
last:
distinct:
stdev:
var:
median:
p50:
p90:
p95:
p99:
mode:'
	run complete_words preduce -k origin data/flights.csv count p9
	assert_output 'p90:
p95:
p99:'
	# mean:de<TAB> reaches _pflow as "mean" ":" "de"; the reply is the
	# text after the colon, which is what bash replaces
	run complete_words preduce data/flights.csv mean : de
	assert_output 'delay
destination'
	# any percentile: pN with a decimal point
	run complete_words preduce data/flights.csv p99.9 : de
	assert_output 'delay
destination'
	run complete_words preduce data/flights.csv mean :
	assert_output 'date
delay
distance
origin
destination'
	# without ':' in COMP_WORDBREAKS the reply is the whole word
	COMP_WORDBREAKS=$' \t\n'
	run complete_words preduce data/flights.csv mean:de
	assert_output 'mean:delay
mean:destination'
}

@test "ptakesort -T completes directories, --memory sizes" {
	mkdir -p tdir/sub
	touch tfile
	run complete_words ptakesort -T t
	assert_output 'tdir'
	run complete_words ptakesort --memory ''
	assert_output '64M
256M
1G
4G'
}

@test "ptakesort key suffixes, one of num/str and one of desc/asc" {
	run complete_words ptakesort -n 3 -k count : ''
	assert_output 'num
str
desc
asc'
	run complete_words ptakesort -n 3 -k count : d
	assert_output 'desc'
	run complete_words ptakesort -n 3 -k count : num : ''
	assert_output 'desc
asc'
	run complete_words ptakesort -n 3 -k count : desc : ''
	assert_output 'num
str'
	COMP_WORDBREAKS=$' \t\n'
	run complete_words ptakesort -k origin,count:n
	assert_output 'origin,count:num'
}

@test "pfilter and pmap: field names for the expression, files after it" {
	# OurAirports quotes every name of its headers
	run complete_at 1 pfilter '' data/countries.csv
	assert_output 'id
code
name
continent
wikipedia_link
keywords'
	run complete_at 1 pmap el data/navaids.csv
	assert_output 'elevation_ft'
	run complete_words pfilter 'type == "x"' data/nav
	assert_output 'data/navaids.csv'
}

@test "after -- the words are a command and its files" {
	run complete_words ppartition -k origin -n 4 -- preduc
	assert_output 'preduce'
	run complete_words pmap -a data/flights.csv -- echo data/fl
	assert_equal "$(sort <<<"$output")" 'data/flights.csv
data/flights.csv.gz
data/flights.jsonl'
}

@test "the zsh function parses and reads header fields" {
	command -v zsh >/dev/null || skip "zsh is absent"
	run zsh -n "$PFLOW_SOURCE/completions/_pflow"
	assert_success
	run zsh -c 'source <(sed "\$d" "$1"); words=(preduce -k "" data/flights.csv); _pflow_fields; print -rl -- $reply' _ "$PFLOW_SOURCE/completions/_pflow"
	assert_output 'date
delay
distance
origin
destination'
}

@test "bash: pjoin -k completes the stream's fields, and TABLE's after '='" {
	# before '=': the stream's (the second file), else TABLE's (stdin)
	run complete_at 2 pjoin -k iso_c data/countries.csv data/navaids.csv
	assert_output 'iso_country'
	run complete_at 2 pjoin -k co data/countries.csv
	assert_output 'code
continent'
	# after '=' (a word of its own for bash): TABLE's
	run complete_at 4 pjoin -k iso_country = co data/countries.csv data/navaids.csv
	assert_output 'code
continent'
	run complete_at 2 pjoin -k id,ty data/countries.csv data/navaids.csv
	assert_output 'id,type'
}

@test "zsh: pjoin -k completes the stream's fields, and TABLE's after '='" {
	command -v zsh >/dev/null || skip "zsh is absent"
	# compadd prints how many names it gets, and the first two
	local stubs='compadd() { shift 5; print -r -- "$# $1 $2" }
	    compset() { PREFIX=${PREFIX#*=} }'
	run zsh -c "source <(sed '\$d' \"\$1\"); $stubs"'
	    service=pjoin
	    PREFIX=ty words=(pjoin -k ty data/countries.csv data/navaids.csv)
	    _pflow_keys
	    PREFIX=iso_country=co words=(pjoin -k $PREFIX data/countries.csv data/navaids.csv)
	    _pflow_keys
	    PREFIX=co words=(pjoin -k co data/countries.csv)
	    _pflow_keys' _ "$PFLOW_SOURCE/completions/_pflow"
	assert_output '20 id filename
6 id code
6 id code'
}

@test "zsh: pflow TOOL completes tool names, then as the tool; a prefixed name is its tool" {
	command -v zsh >/dev/null || skip "zsh is absent"
	# compadd and _arguments stand in for compsys: they print what they get
	local stubs='compadd() { shift; print -rl -- "$@" }
	    _arguments() { print -r -- "$service: $words[CURRENT]" }'
	run zsh -c "source <(sed '\$d' \"\$1\"); $stubs"'
	    service=pflow words=(pflow "") CURRENT=2 _pflow
	    service=pflow words=(pflow help "") CURRENT=3 _pflow
	    service=pflow words=(pflow reduce -k or) CURRENT=4 _pflow
	    service=pflow words=(pflow stats --mem) CURRENT=3 _pflow
	    service=pf-ptakesort words=(pf-ptakesort -n) CURRENT=2 _pflow' \
	    _ "$PFLOW_SOURCE/completions/_pflow"
	assert_output 'filter
map
reduce
takesort
partition
join
scan
view
stats
head
tail
headers
help
--help
--version
filter
map
reduce
takesort
partition
join
scan
head
tail
headers
view
stats
expressions
preduce: or
preduce: --mem
ptakesort: -n'
}

@test "bash: every long option in a tool's --help completes" {
	for t in pfilter pmap preduce ptakesort ppartition pjoin pscan; do
		run complete_words "$t" --
		local opts=$output
		for o in $("$t" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			[[ $'\n'$opts$'\n' == *$'\n'$o$'\n'* ]] ||
			    fail "$t: $o does not complete"
		done
	done
	run complete_words preduce --lateness ''
	assert_output '50ms
1s
5s
1m'
}

@test "pflow stats: preduce's options and --memory, then files, no AGG" {
	run complete_front pflow stats --mem
	assert_output '--memory'
	run complete_front pflow stats --memory ''
	assert_output "$(printf '%s\n' 64M 256M 1G 4G)"
	run complete_front pflow stats data/flights.cs
	assert_equal "$(sort <<<"$output")" 'data/flights.csv
data/flights.csv.gz'
	run complete_words preduce --summary m
	refute_output --partial 'mean:'
	run complete_words preduce --su
	assert_output '--summary'
}

@test "pflow head, tail, headers: options, then files" {
	run complete_front pflow tail -
	assert_equal "${lines[0]}" '-n'
	assert_equal "${lines[1]}" '--csv'
	run complete_front pflow headers data/fl
	assert_equal "$(sort <<<"$output")" 'data/flights.csv
data/flights.csv.gz
data/flights.jsonl'
}

@test "expressions: fields and functions, inside quotes too; spaced names braced" {
	printf 'Major Genre,Score,Name\nDrama,3,x\n' > g.csv
	run complete_at 1 pfilter "'Score > 2 and Na" g.csv
	assert_output "'Score > 2 and Name"
	run complete_at 1 pmap '"up' g.csv
	assert_output '"upper('
	run complete_at 1 pfilter "'Maj" g.csv
	assert_output "'{Major Genre}"
	run complete_at 1 pfilter "'len({Ma" g.csv
	assert_output "'len({Major Genre}"
	# unquoted: escaped so that the shell keeps it one word
	run complete_at 1 pmap 'Ma' g.csv
	assert_output '\{Major\ Genre\}'
	run complete_at 1 pmap 'ro' g.csv
	assert_output 'round\('
	# the file may come after the cursor, as the usage puts it
	run complete_at 1 pfilter "'dist" data/flights.csv
	assert_output "'distance"
}
