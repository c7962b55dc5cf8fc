#!/bin/sh
# Installs what building and testing pflow needs, from Debian's packages.
# Run as root (or with sudo) on Debian 12; does nothing that is already done.
set -e
pkgs="gcc meson ninja-build pkg-config libpcre2-dev libxxhash-dev xxhash \
libcsv-dev libgmp-dev bats bats-assert bats-support miller python3 valgrind \
clang libclang-rt-14-dev time make groff-base zsh slurm-wlm munge"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
