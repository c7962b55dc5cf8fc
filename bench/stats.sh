#!/usr/bin/env bash
# Times `pflow stats` (preduce --summary) beside DuckDB's SUMMARIZE and
# Miller's `summary` on the benchmark flights, and prints for each the
# mean wall time, the mean user CPU time, and the ratio to pflow's wall
# time (the machine may be loaded: the CPU times say more then).
#
# Usage: bench/stats.sh [FILE]   (default $BENCH_DATA/flights-3m.csv)
# BENCH_RUNS (3) runs each, Miller once (it is slow); BENCH_JOBS (2)
# threads for pflow and DuckDB. pflow is built with -Dbuildtype=release
# in build-bench/ (or $BENCH_BUILD); bench/setup.sh makes the data and
# installs DuckDB's query script. Not a test.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
data=${BENCH_DATA:-/tmp/pflow-bench}
runs=${BENCH_RUNS:-3}
jobs=${BENCH_JOBS:-2}
F=${1:-$data/flights-3m.csv}
B=${BENCH_BUILD:-$here/build-bench}
[ -f "$B/build.ninja" ] ||
	meson setup "$B" "$here" -Dbuildtype=release -Dtests=disabled >/dev/null
ninja -C "$B" >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "# $(date -u '+%F %H:%M UTC') on $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $F ($(du -h "$F" | cut -f1), $(($(wc -l <"$F") - 1)) records), $jobs threads"
args=(--export-json "$out/main.json" -r "$runs" --prepare "cat $F >/dev/null"
    -n "pflow stats" "$B/pflow stats -j$jobs $F > /dev/null"
    -n "pflow stats -j1" "$B/pflow stats -j1 $F > /dev/null")
if [ -f "$data/duckdb/q.mjs" ] && command -v node >/dev/null; then
	args+=(-n "duckdb SUMMARIZE" "node $data/duckdb/q.mjs \"SUMMARIZE SELECT * FROM read_csv('$F')\" $jobs > /dev/null")
fi
hyperfine "${args[@]}" >/dev/null
if command -v mlr >/dev/null; then
	hyperfine --export-json "$out/mlr.json" -r 1 --prepare "cat $F >/dev/null" \
	    -n "mlr summary" "mlr --icsv --ocsv summary $F > /dev/null" >/dev/null
fi
python3 - "$out"/*.json <<'PY'
import json, sys
res = [r for f in sys.argv[1:] for r in json.load(open(f))["results"]]
base = res[0]["mean"]
for r in res:
    print(f"{r['command']:<18} wall {r['mean']:7.2f}s  user {r['user']:7.2f}s"
          f"  sys {r['system']:5.2f}s  {r['mean'] / base:6.1f}x pflow's wall")
PY
