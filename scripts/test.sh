#!/bin/sh
# Builds pflow three ways and runs every test suite:
#   build-test   optimised, assertions on: unit and command-line tests
#   build-asan   AddressSanitizer + UndefinedBehaviorSanitizer: all tests
#   build-tsan   ThreadSanitizer: the engine's concurrency tests
# and the unit tests and the tools' main tests under valgrind memcheck;
# then, on subsets that keep them to a few minutes, the CSV layer where
# the CPU kernels differ (each step's time is printed):
#   build-plainc -Dsimd=disabled: the plain-C kernel alone
#   build-clang  clang: the unit tests
#   build-aarch64  arm64 (Debian's cross compiler, run by qemu-user): the
#                CSV unit tests, the kernels' fuzz smoke and CLI test
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

# The extra builds: only the targets their tests need.
timed() {	# timed LABEL COMMAND...: runs it, prints how long it took
	label=$1; shift
	t0=$(date +%s)
	"$@" || status=1
	echo "== $label: $(($(date +%s) - t0)) s"
}
extra_build() {	# extra_build DIR MESON-OPTIONS -- NINJA-TARGETS
	dir=$1; shift
	opts=
	while [ "$1" != "--" ]; do opts="$opts $1"; shift; done
	shift
	if [ ! -d "$dir" ]; then
		meson setup "$dir" $opts >/dev/null || return 1
	fi
	ninja -C "$dir" "$@" >/dev/null || { echo "build failed in $dir"; return 1; }
}
csv_units="tests/test_record tests/test_scan tests/test_output"
plainc() {
	extra_build build-plainc -Dbuildtype=debugoptimized -Db_ndebug=false \
		-Dsimd=disabled -- $csv_units tests/fuzz_kernels tests/fuzz_split \
		pfilter pmap preduce ppartition || return 1
	PF_FUZZ_SECONDS=5 meson test -C build-plainc --no-rebuild \
		--print-errorlogs --num-processes 2 \
		record scan output fuzz-kernels fuzz-split kernels
}
clang_units() {
	units=$(sed -n "/^unit_tests = {/,/^}/s/^  '\([a-z_]*\)' : .*/tests\/test_\1/p" \
		tests/meson.build)
	CC=clang extra_build build-clang -Dbuildtype=debugoptimized \
		-Db_ndebug=false -- $units tests/test_compat || return 1
	meson test -C build-clang --no-rebuild --print-errorlogs \
		--num-processes 2 --suite unit
}
aarch64() {
	if ! command -v aarch64-linux-gnu-gcc >/dev/null ||
	    ! command -v qemu-aarch64-static >/dev/null ||
	    [ ! -e /usr/lib/aarch64-linux-gnu/libpcre2-8.so ]; then
		echo "== build-aarch64: skipped (the arm64 cross compiler, qemu-user-static or the arm64 libraries are not installed: scripts/install-deps.sh cross)"
		return 0
	fi
	extra_build build-aarch64 --cross-file scripts/aarch64-cross.ini \
		-Dbuildtype=debugoptimized -Db_ndebug=false -- $csv_units \
		tests/fuzz_kernels pfilter pmap preduce || return 1
	PF_FUZZ_SECONDS=5 meson test -C build-aarch64 --no-rebuild \
		--print-errorlogs --num-processes 2 record scan output \
		fuzz-kernels || return 1
	# The tools through qemu: bats runs them by name from PFLOW_BUILD.
	wrap=build-aarch64/qemu-bin
	mkdir -p $wrap
	for t in pfilter pmap preduce; do
		printf '#!/bin/sh\nexec qemu-aarch64-static -L /usr/aarch64-linux-gnu %s "$@"\n' \
			"$PWD/build-aarch64/$t" >$wrap/$t
		chmod +x $wrap/$t
	done
	echo "== build-aarch64: bats kernels.bats (reference's bytes)"
	PFLOW_BUILD=$PWD/$wrap PFLOW_SOURCE=$PWD bats \
		-f "reference's bytes: quoted" tests/bats/kernels.bats
}
timed "build-plainc (plain-C kernel: CSV unit tests, fuzz smoke, kernels.bats)" plainc
# clang and aarch64 (qemu) take longer than the test command's budget on
# a busy 2-core machine: run them with PFLOW_TEST_MORE=1 (and the cross
# packages from "scripts/install-deps.sh cross").
if [ "${PFLOW_TEST_MORE:-}" = 1 ]; then
	timed "build-clang (unit tests)" clang_units
	timed "build-aarch64 (qemu: CSV unit tests, fuzz smoke, kernels.bats)" aarch64
fi

python3 tests/count-tap.py build-test build-asan build-tsan ${v3:-} \
	build-plainc || status=1
exit $status
