#!/bin/sh
# Installs DuckDB from the npm registry (@duckdb/node-api, whose package
# carries its prebuilt library) into DIR, with bench/duckdb-query.mjs
# beside it as DIR/q.mjs: `node DIR/q.mjs "SQL"` prints the result as CSV.
# DuckDB is an oracle for the differential tests (they skip without it)
# and a peer in bench/run.sh. Does nothing that is already done.
#   install-duckdb.sh [DIR]    default ${XDG_CACHE_HOME:-$HOME/.cache}/pflow/duckdb
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/pflow/duckdb}
command -v npm >/dev/null || { echo "install-duckdb.sh: npm is not installed" >&2; exit 1; }
mkdir -p "$dir"
if [ ! -d "$dir/node_modules/@duckdb/node-api" ]; then
	(cd "$dir" && { [ -f package.json ] || npm init -y >/dev/null; } &&
	    npm install --silent --no-audit --no-fund @duckdb/node-api >/dev/null)
fi
cp "$here/bench/duckdb-query.mjs" "$dir/q.mjs"
