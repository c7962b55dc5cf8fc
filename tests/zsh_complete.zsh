#!/usr/bin/env zsh
# zsh_complete.zsh - drives a real interactive zsh, with the real compsys
# and completions/_pflow, for tests/bats/completion-shells.bats.
#
# usage: zsh -f zsh_complete.zsh [-s SETUP] KEYS
#
# Starts `zsh -f -i` on a pseudo-terminal (zsh/zpty) in the current
# directory, with $PFLOW_SOURCE/completions first in fpath,
# $PFLOW_BUILD first in PATH, and compinit (its dump file is
# $ZSH_COMPLETE_DUMP when set, so that the next shell starts faster; else
# none); runs SETUP (zsh code: zstyle, setopt) if given; then types KEYS,
# in which print's escapes stand for keys (\t is TAB, \C-b moves the
# cursor left). After each TAB, and at the end when keys follow the last
# TAB, a key bound to a widget reports the line editor's buffer. For each
# report it prints the rows of the list of matches the terminal showed
# since the last one (as shown, trailing blanks removed), then the buffer
# with the cursor shown as U+2038 (a caret).
#
# Exits 2 when zsh/zpty is absent, 1 when the shell does not answer within
# 30 s for one report (then it prints what the terminal showed on stderr).
# The pseudo-terminal is always deleted (its shell killed) at exit.

emulate -L zsh
setopt errreturn nounset extendedglob

zmodload zsh/zpty 2>/dev/null || { print -u2 "zsh/zpty is absent"; exit 2 }
zmodload zsh/datetime	# EPOCHREALTIME
zmodload zsh/zselect	# a short sleep without a process

local setup=
if [[ ${1-} == -s ]]; then
	setup=$2
	shift 2
fi
(( $# == 1 )) || { print -u2 "usage: zsh_complete.zsh [-s SETUP] KEYS"; exit 64 }
local keys=$1
local tmp=$(mktemp -d)

# The shell's set-up, read with `source` once it runs: a plain prompt
# that starts each line it draws, 80 columns, no bell, no bracketed
# paste, no display held back for typeahead (BAUD), no echo outside the
# editor, and on ^T a widget that prints the buffer between markers. The
# markers are built from pieces so that the typed command (echoed by the
# terminal) never contains them. The tools it starts (pfilter --help for
# the function names) run without LeakSanitizer: under ASan its tracer
# at exit sometimes spun when zsh started a program.
local dump=-D
[[ -n ${ZSH_COMPLETE_DUMP-} ]] && dump="-d ${(q)ZSH_COMPLETE_DUMP}"
print -r -- "
PS1='%% ' PS2= RPS1= COLUMNS=80 LINES=24
unsetopt beep prompt_sp prompt_cr
unset zle_bracketed_paste BAUD
stty -echo	# keys typed before the line editor reads them are not shown
fpath=(${(q)PFLOW_SOURCE}/completions \$fpath)
path=(${(q)PFLOW_BUILD} \$path)
export ASAN_OPTIONS=\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}detect_leaks=0
autoload -Uz compinit && compinit -u $dump
_pf_report() { zle -I; print -r -- \"<\"\"<\$LBUFFER\"\$'\\u2038'\"\$RBUFFER>\"\">\" }
zle -N _pf_report
bindkey '^T' _pf_report
$setup
print -r -- \"<\"\"<ready>\"\">\"
" >$tmp/setup.zsh

local out=
# read_until PATTERN: reads the terminal into $out until it matches
# PATTERN, for at most 30 s.
read_until() {
	local chunk deadline=$(( EPOCHREALTIME + 30 ))
	while [[ $out != $~1 ]]; do
		if zpty -rt pfzsh chunk 2>/dev/null; then
			out+=$chunk
			continue
		fi
		if (( EPOCHREALTIME > deadline )); then
			print -u2 -r -- "zsh_complete: no answer within 30 s; the terminal showed:"
			print -u2 -r -- "$out"
			return 1
		fi
		zselect -t 2 || :	# 20 ms
	done
}

cleanup() {
	zpty -d pfzsh 2>/dev/null
	rm -rf $tmp
}
trap cleanup EXIT
trap 'exit 143' TERM HUP INT	# cleanup too when timed out

TERM=dumb zpty pfzsh zsh -f -i
zpty -w pfzsh "source ${(q)tmp}/setup.zsh"
read_until '*<<ready>>*% *'
out=${out#*<<ready>>$'\r'}	# from the prompt on

local -a parts=("${(@ps:\t:)${(g:e:)keys}}")
local i line rest rc=0
for (( i = 1; i <= $#parts; i++ )); do
	# type the part, then TAB unless it is the last; report after each
	# TAB, and at the end when keys follow the last TAB
	if (( i < $#parts )); then
		zpty -n -w pfzsh "$parts[i]"$'\t'
	elif [[ -n $parts[i] ]]; then
		zpty -n -w pfzsh "$parts[i]"
	else
		break
	fi
	zpty -n -w pfzsh $'\x14'	# ^T: report
	read_until '*<<*>>'$'\r''*' || { rc=1; break }
	# the list's rows: the lines that are not the prompt's
	for line in "${(@f)${out%%<<*}}"; do
		line=${line//$'\r'}
		[[ -n $line && $line != '% '* ]] && print -r -- "${line%%[[:blank:]]#}"
	done
	rest=${out#*<<}
	print -r -- "${rest%%>>$'\r'*}"
	out=${rest#*>>$'\r'}
done
exit $rc
