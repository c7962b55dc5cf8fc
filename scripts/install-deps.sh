#!/bin/sh
# Installs what pflow needs from Debian's packages, as root (or with sudo)
# on Debian 12; does nothing that is already done.
#   install-deps.sh        building and running: compiler, meson, PCRE2,
#                          xxHash, GMP, zlib, libzstd, libbz2, liblzma,
#                          nettle, tzdata (what scripts/demo.sh needs)
#   install-deps.sh test   also what the tests use: zstd, bzip2 and xz
#                          (to make archives), bats, libcsv, Miller,
#                          valgrind, clang's sanitizer runtimes, zsh, groff,
#                          Slurm and munge, and DuckDB from npm
#                          (scripts/install-duckdb.sh; without it the
#                          DuckDB differential tests skip)
#   install-deps.sh cross  what "PFLOW_TEST_MORE=1 scripts/test.sh" adds:
#                          Debian's aarch64 cross compiler, qemu-user-static
#                          and the arm64 libraries (multiarch; without them
#                          that build skips)
set -e
pkgs="gcc meson ninja-build pkg-config libpcre2-dev libxxhash-dev \
libgmp-dev nettle-dev tzdata zlib1g-dev libzstd-dev libbz2-dev liblzma-dev"
if [ "${1:-}" = test ]; then
	pkgs="$pkgs xxhash zstd bzip2 xz-utils libcsv-dev bats bats-assert bats-support miller \
python3 valgrind clang libclang-rt-14-dev time make groff-base mandoc zsh slurm-wlm munge"
fi
# missing PACKAGE...: prints those that are not installed
missing() {
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "ok installed" || printf ' %s' "$p"
	done
}
missing=$(missing $pkgs)
if [ -n "$missing" ]; then
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
if [ "${1:-}" = cross ]; then
	cross="gcc-aarch64-linux-gnu qemu-user-static libpcre2-dev:arm64 \
libxxhash-dev:arm64 libgmp-dev:arm64 nettle-dev:arm64 zlib1g-dev:arm64 \
libzstd-dev:arm64 libbz2-dev:arm64 liblzma-dev:arm64"
	missing=$(missing $cross)
	if [ -n "$missing" ]; then
		SUDO=
		[ "$(id -u)" -eq 0 ] || SUDO=sudo
		{ $SUDO dpkg --add-architecture arm64 && $SUDO apt-get update -qq &&
		    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		    $missing >/dev/null; } ||
			echo "install-deps.sh: the aarch64 cross build's packages are not installed; that build will skip" >&2
	fi
fi
if [ "${1:-}" = test ]; then
	"$(dirname "$0")/install-duckdb.sh" ||
		echo "install-deps.sh: DuckDB is not installed; its differential tests will skip" >&2
fi
exit 0
