#!/bin/sh
# Builds pflow three ways and runs every test suite:
#   build-test   optimised, assertions on: unit and command-line tests
#   build-asan   AddressSanitizer + UndefinedBehaviorSanitizer: all tests
#   build-tsan   ThreadSanitizer: the engine's concurrency tests
# and the unit tests and the tools' main tests under valgrind memcheck.
# Ends with one line "N passed, N failed" over every TAP test point.
cd "$(dirname "$0")/.." || exit 1
scripts/install-deps.sh test || exit 1

status=0
run_suites() {	# run_suites DIR MESON-OPTIONS -- MESON-TEST-ARGS
	dir=$1; shift
	opts=
	while [ "$1" != "--" ]; do opts="$opts $1"; shift; done
	shift
	if [ ! -d "$dir" ]; then
		meson setup "$dir" $opts >/dev/null || { status=1; return; }
	fi
	ninja -C "$dir" >/dev/null || { echo "build failed in $dir"; status=1; return; }
	echo "== $dir: meson test $*"
	meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" ||
		status=1
}

run_suites build-test -Dbuildtype=debugoptimized -Db_ndebug=false -- \
	--no-suite sanitizer-skip
# Valgrind memcheck: the unit tests, and the tools under the main
# command-line tests (helper.bash wraps each tool when PFLOW_VALGRIND=1).
if [ -d build-test ]; then
	vg="valgrind -q --error-exitcode=99 --leak-check=full \
--errors-for-leak-kinds=definite --suppressions=$PWD/tests/valgrind.supp"
	echo "== build-test: under valgrind"
	meson test -C build-test --logbase valgrind-unit --suite unit \
		--wrapper "$vg" --num-processes 2 --timeout-multiplier 4 || status=1
	PFLOW_VALGRIND=1 meson test -C build-test --logbase valgrind-cli \
		--num-processes 2 --timeout-multiplier 4 \
		pfilter pmap preduce ptakesort ppartition || status=1
fi
# The unit tests built for x86-64-v3 (AVX2, FMA, BMI2), where this CPU
# runs such code: numbers must not change with the instruction set.
if grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo &&
    grep -qw bmi2 /proc/cpuinfo && grep -qw movbe /proc/cpuinfo; then
	run_suites build-v3 -Dbuildtype=debugoptimized -Db_ndebug=false \
		-Dc_args=-march=x86-64-v3 -- --suite unit
	v3=build-v3
fi
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
run_suites build-asan -Dbuildtype=debug -Db_sanitize=address,undefined \
	-Db_lundef=false -- --no-suite slow --no-suite sanitizer-skip
TSAN_OPTIONS=halt_on_error=1 \
run_suites build-tsan -Dbuildtype=debugoptimized -Db_sanitize=thread -- \
	--suite engine

python3 tests/count-tap.py build-test build-asan build-tsan ${v3:-} || status=1
exit $status
