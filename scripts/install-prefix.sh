#!/bin/sh
# Run by meson install when -Dprogram_prefix= is set: gives the installed
# tools, their man pages and their bash-completion links the prefix
# (pmap -> PREFIXpmap), so that no other package's command is shadowed,
# and has the bash and zsh completions complete the prefixed names.
# Usage: install-prefix.sh PREFIX BINDIR MANDIR BASH_COMPLETION_DIR "TOOLS"
#            [ZSH_FUNCTION_DIR]
set -eu
prefix=$1 bindir=$2 mandir=$3 compdir=$4 tools=$5 zshdir=${6:-}
root=${MESON_INSTALL_DESTDIR_PREFIX:?run by meson install}
at() { case $1 in /*) printf '%s\n' "${DESTDIR:-}$1" ;; *) printf '%s\n' "$root/$1" ;; esac; }
for t in $tools; do
	mv -f "$(at "$bindir")/$t" "$(at "$bindir")/$prefix$t"
	if [ -f "$(at "$mandir")/man1/$t.1" ]; then
		mv -f "$(at "$mandir")/man1/$t.1" "$(at "$mandir")/man1/$prefix$t.1"
	fi
	if [ -L "$(at "$compdir")/$t" ]; then
		mv -f "$(at "$compdir")/$t" "$(at "$compdir")/$prefix$t"
	fi
done
# the completion files name the commands they complete: add the new names
names=$(for t in $tools; do printf ' %s%s' "$prefix" "$t"; done)
bash_file=$(at "$compdir")/pflow
if [ -f "$bash_file" ]; then
	sed -i "s/^complete -o default -F _pflow pfilter .*/&$names/" "$bash_file"
fi
if [ -n "$zshdir" ] && [ -f "$(at "$zshdir")/_pflow" ]; then
	sed -i "1s/^#compdef .*/&$names/" "$(at "$zshdir")/_pflow"
fi
