#!/bin/sh
# build-libfuzzer.sh - builds the fuzz targets as real libFuzzer binaries
# (clang, -fsanitize=fuzzer,address,undefined) into DIR (default
# build-fuzz/). Needs the Debian packages clang and libclang-rt-14-dev.
#
#	tests/fuzz/build-libfuzzer.sh [DIR]
#	build-fuzz/fuzz_split -max_total_time=600 tests/fuzz/corpus/split
set -e
cd "$(dirname "$0")/../.."
out=${1:-build-fuzz}
mkdir -p "$out"
CC=${CC:-clang}
printf '#define PF_VERSION "fuzz"\n' >"$out/config.h"
flags="-std=gnu11 -g -O1 -D_GNU_SOURCE -fno-omit-frame-pointer
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
    -I$out -I. -Ilib"
# The library's files, as each lib/LAYER/meson.build lists them (not
# lib/*/*.c: a file being written may not be in the build yet).
srcs=$(for m in lib/*/meson.build; do
	grep -o "'[A-Za-z0-9_]*\.c'" "$m" | tr -d "'" | sed "s|^|${m%/meson.build}/|"
done)
libs="$(pkg-config --libs libpcre2-8 libxxhash) -lgmp -lpthread -lm"
for target in split split_libcsv csv expr regex output; do
	extra=
	[ "$target" = split_libcsv ] && extra=-lcsv
	# shellcheck disable=SC2086
	$CC $flags -o "$out/fuzz_$target" "tests/fuzz/fuzz_$target.c" \
	    $srcs $libs $extra
	echo "$out/fuzz_$target"
done
