# helper.bash - shared set-up for the command-line tests.
#
# meson runs bats with PFLOW_BUILD (where the binaries are) and
# PFLOW_SOURCE (the source tree); run by hand, both default from here.

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

PFLOW_SOURCE=${PFLOW_SOURCE:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
PFLOW_BUILD=${PFLOW_BUILD:-$PFLOW_SOURCE/build}
PATH=$PFLOW_BUILD:$PATH
DATA=$PFLOW_SOURCE/tests/data
SHARED=$PFLOW_SOURCE/../shared/data
export LC_ALL=C.UTF-8

# Writes stdin to a file in the test's temporary directory; prints its path.
# Use printf for exact bytes: mkinput name.csv < <(printf 'a,b\r\n1,2')
mkinput() {
	local path=$BATS_TEST_TMPDIR/$1
	cat >"$path"
	printf '%s\n' "$path"
}

# Runs "$@" with -j1 and with -j4 (small batches, so many of them) and
# fails unless stdout and status are identical; leaves the -j4 run in
# $output/$status like bats' run.
same_for_all_jobs() {
	run --separate-stderr "$@" -j1
	local out1=$output st1=$status
	run --separate-stderr "$@" -j4 --chunk 64 --queue 5
	assert_equal "$output" "$out1"
	assert_equal "$status" "$st1"
}

# Runs "$@" with SIGINT at its default action, as from a terminal: a job
# started with & by a script (bats' tests) ignores SIGINT, and the tools
# keep ignoring it then. Only as a job (sigint_default CMD... &): it
# execs, so that $! is the command's process.
sigint_default() {
	exec perl -e '$SIG{INT} = "DEFAULT"; exec { $ARGV[0] } @ARGV or die "$ARGV[0]: $!\n"' "$@"
}

# Polls "$@" (a command) every 0.1 s until it succeeds, for at most 60 s;
# fails if it never does. Timed tests wait for what they need this way
# instead of sleeping a guess, so they hold under valgrind and load.
wait_until() {
	local i
	for ((i = 0; i < 600; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	echo "still not true after 60s: $*"
	return 1
}

# Sends SIGINT to our job $1 five times, 0.2 s apart, while it runs; then
# waits for it and sets waited_status to its exit status.
interrupt_and_wait() {
	local i
	for i in 1 2 3 4 5; do
		sleep 0.2
		kill -INT "$1" 2>/dev/null || break
	done
	waited_status=0
	wait "$1" || waited_status=$?
}

# Whether file $1 has at least $2 lines.
has_lines() {
	[ -e "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]
}

# Skips a test that needs the OurAirports data beside the repository.
need_shared() {
	[ -d "$SHARED" ] || skip "../shared/data is absent"
}

# PFLOW_VALGRIND=1 runs every tool under valgrind memcheck: an error or a
# definite leak makes the tool exit with status 99, which fails the test.
if [ -n "${PFLOW_VALGRIND:-}" ]; then
	_wrap=$BATS_FILE_TMPDIR/valgrind-bin
	if [ ! -d "$_wrap" ]; then
		mkdir -p "$_wrap"
		for _tool in pfilter pmap preduce ptakesort ppartition; do
			printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --suppressions=%s %s "$@"\n' \
			    "$PFLOW_SOURCE/tests/valgrind.supp" "$PFLOW_BUILD/$_tool" >"$_wrap/$_tool"
			chmod +x "$_wrap/$_tool"
		done
	fi
	PATH=$_wrap:$PATH
fi

# DUCKDB_QUERY: DuckDB's query script (scripts/install-duckdb.sh), for the
# differential tests, which skip when it is empty.
DUCKDB_QUERY=
for _q in "${PFLOW_DUCKDB:-}" "${XDG_CACHE_HOME:-$HOME/.cache}/pflow/duckdb/q.mjs" \
    "${BENCH_DATA:-/tmp/pflow-bench}/duckdb/q.mjs"; do
	if [ -n "$_q" ] && [ -f "$_q" ] && command -v node >/dev/null; then
		DUCKDB_QUERY=$_q
		break
	fi
done
