#!/usr/bin/env bats
# meson install: binaries, man pages and shell completions land where the
# build's prefix says, the installed tools run and report meson's version,
# and the installed completion works under each tool's name.

load helper

TOOLS='pfilter pmap preduce ptakesort ppartition pjoin pscan'

setup_file() {
	local root=$BATS_FILE_TMPDIR/root
	meson install -C "$PFLOW_BUILD" --destdir "$root" --no-rebuild --quiet \
	    > "$BATS_FILE_TMPDIR/install.log" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/install.log" >&2
		return 1
	}
}

setup() {
	# where the build puts things: prefix, bindir, datadir, mandir
	eval "$(meson introspect "$PFLOW_BUILD" --buildoptions | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    if o["name"] in ("prefix", "bindir", "datadir", "mandir"):
        print("%s=%s" % (o["name"], o["value"]))')"
	ROOT=$BATS_FILE_TMPDIR/root$prefix
	BIN=$ROOT/$bindir
	SHARE=$ROOT/$datadir
	MAN=$ROOT/$mandir
}

@test "the seven binaries are installed and executable" {
	for t in $TOOLS; do
		assert [ -x "$BIN/$t" ]
	done
	run ls "$BIN"
	assert_output 'pfilter
pflow
pjoin
pmap
ppartition
preduce
pscan
ptakesort'
}

@test "--version of every installed tool is the version in meson.build" {
	want=$(sed -n "s/^  version : '\(.*\)',\$/\1/p" "$PFLOW_SOURCE/meson.build")
	assert [ -n "$want" ]
	for t in $TOOLS; do
		run "$BIN/$t" --version
		assert_success
		assert_output "$t (pflow) $want"
	done
}

@test "man pages: one per tool in section 1, pflow(7), versioned, no roff warnings" {
	run ls "$MAN/man1" "$MAN/man7"
	assert_output "$MAN/man1:
pfilter.1
pjoin.1
pmap.1
ppartition.1
preduce.1
pscan.1
ptakesort.1

$MAN/man7:
pflow.7"
	want=$(sed -n "s/^  version : '\(.*\)',\$/\1/p" "$PFLOW_SOURCE/meson.build")
	for page in "$MAN"/man1/*.1 "$MAN/man7/pflow.7"; do
		run grep -c '@[A-Z_]*@' "$page"
		assert_output 0
		run grep -c "^\.Os pflow $want\$" "$page"
		assert_output 1
		run --separate-stderr groff -k -mandoc -Tutf8 -ww -z "$page"
		assert_success
		assert_equal "$stderr" ''
	done
	run sh -c "MANWIDTH=80 man -l '$MAN/man7/pflow.7' | head -4 | tr -s ' '"
	assert_output --partial 'parallel record streams in shell pipelines'
}

@test "bash completion: one file, loaded under each tool's name" {
	dir=$SHARE/bash-completion/completions
	assert [ -f "$dir/pflow" ]
	for t in $TOOLS; do
		assert [ -L "$dir/$t" ]
		assert_equal "$(readlink "$dir/$t")" pflow
	done
	cmp "$dir/pflow" "$PFLOW_SOURCE/completions/pflow.bash"
	# as bash-completion loads it: source completions/TOOL
	run bash -c 'source "$1/preduce"; complete -p ptakesort' _ "$dir"
	assert_output 'complete -o default -F _pflow ptakesort'
}

@test "zsh completion is in site-functions" {
	assert [ -f "$SHARE/zsh/site-functions/_pflow" ]
	run head -1 "$SHARE/zsh/site-functions/_pflow"
	assert_output '#compdef pfilter pmap preduce ptakesort ppartition pjoin pscan pflow'
}

@test "the installed tools run a pipeline" {
	run sh -c "'$BIN/pfilter' 'type != \"closed\"' '$DATA/airports.csv' | '$BIN/preduce' -k iso_country count | '$BIN/ptakesort' -n 3 -k count:desc"
	assert_success
	assert_output 'iso_country,count
US,106
MX,44
CA,43'
}

@test "pflow runs each tool by its short name, and says which exist" {
	run pflow reduce -k origin count "$DATA/flights.csv"
	assert_success
	assert_output "$(preduce -k origin count "$DATA/flights.csv")"
	run pflow ptakesort -n 1 -k delay:desc "$DATA/flights.csv"
	assert_output "$(ptakesort -n 1 -k delay:desc "$DATA/flights.csv")"
	run pflow help takesort
	assert_success
	assert_output "$(ptakesort --help)"
	run pflow help
	assert_success
	assert_line --index 0 'usage: pflow TOOL [ARG...]'
	assert_line '  join       join records with a table by key'
	run --separate-stderr pflow frobnicate
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "pflow: unknown tool 'frobnicate'"
	run pflow
	assert_failure 2
}

@test "-Dprogram_prefix: the install script prefixes binaries, man pages and completion links" {
	d=$BATS_TEST_TMPDIR/dest
	mkdir -p "$d/usr/bin" "$d/usr/share/man/man1" "$d/usr/share/bc" "$d/usr/share/zf"
	for t in pmap preduce; do
		printf 'x\n' > "$d/usr/bin/$t"
		printf 'm\n' > "$d/usr/share/man/man1/$t.1"
		ln -s pflow "$d/usr/share/bc/$t"
	done
	printf 'x\n' > "$d/usr/bin/pflow"
	cp "$PFLOW_SOURCE/completions/pflow.bash" "$d/usr/share/bc/pflow"
	cp "$PFLOW_SOURCE/completions/_pflow" "$d/usr/share/zf/_pflow"
	MESON_INSTALL_DESTDIR_PREFIX=$d/usr run "$PFLOW_SOURCE/scripts/install-prefix.sh" \
	    pf- bin share/man share/bc 'pmap preduce' share/zf
	assert_success
	run sh -c "cd '$d' && find . \\( -type f -o -type l \\) | sort"
	assert_output './usr/bin/pf-pmap
./usr/bin/pf-preduce
./usr/bin/pflow
./usr/share/bc/pf-pmap
./usr/share/bc/pf-preduce
./usr/share/bc/pflow
./usr/share/man/man1/pf-pmap.1
./usr/share/man/man1/pf-preduce.1
./usr/share/zf/_pflow'
	run grep '^complete' "$d/usr/share/bc/pflow"
	assert_output 'complete -o default -F _pflow pfilter pmap preduce ptakesort ppartition pjoin pscan pf-pmap pf-preduce
complete -o default -F _pflow_front pflow'
	run head -1 "$d/usr/share/zf/_pflow"
	assert_output '#compdef pfilter pmap preduce ptakesort ppartition pjoin pscan pflow pf-pmap pf-preduce'
	# the prefixed name completes as its tool
	run bash -c "source '$d/usr/share/bc/pflow'; COMP_WORDS=(pf-preduce --mer); COMP_CWORD=1
	    _pflow; printf '%s\\n' \"\${COMPREPLY[@]}\""
	assert_output '--merge'
}

@test "-Dtests=disabled: configuring looks for neither bats nor libcsv" {
	run meson setup "$BATS_TEST_TMPDIR/b" "$PFLOW_SOURCE" -Dtests=disabled
	assert_success
	assert_output --partial 'tests         : False'
	run grep -c 'Program bats\|Library csv\|csv\.h' "$BATS_TEST_TMPDIR/b/meson-logs/meson-log.txt"
	assert_output 0
}

@test "man pages lint clean with mandoc -Tlint" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	for page in "$PFLOW_BUILD"/*.1 "$PFLOW_BUILD/pflow.7"; do
		run mandoc -Tlint -W warning "$page"
		assert_output ''
		assert_success
	done
}
