#!/usr/bin/env bash
# Times pflow beside its peers on the benchmark data, and prints for each
# job the mean wall time, the ratio to pflow, and pflow's peak RSS.
#
# Usage: bench/run.sh [JOB...]   (jobs: filter map reduce join latency
#                                  takesort topgroup sort unique partition
#                                  command pipe map-time scan gzip zstd
#                                  jsonl; default all)
# bench/setup.sh installs the peers (Miller, datamash, mawk, gawk, GNU
# parallel, hyperfine, DuckDB) and makes the data in $BENCH_DATA (default
# /tmp/pflow-bench). pflow is built with -Dbuildtype=release in
# build-bench/ (or $BENCH_BUILD). Every job runs at equal settings: the
# same input file in the page cache, two threads or processes wherever
# the peer has such a setting, the same block size, output to the same
# place. Not a test.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
data=${BENCH_DATA:-/tmp/pflow-bench}
runs=${BENCH_RUNS:-3}
bash "$here/bench/setup.sh" "$data" >/dev/null
B=${BENCH_BUILD:-$here/build-bench}
[ -f "$B/build.ninja" ] ||
	meson setup "$B" "$here" -Dbuildtype=release -Dtests=disabled >/dev/null
ninja -C "$B" >/dev/null
F=${BENCH_FLIGHTS:-$data/flights-30m.csv}
R=${BENCH_RUNWAYS:-$data/runways-big.csv}
duck() { echo "node $data/duckdb/q.mjs \"$1\""; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# bench NAME PFLOW-COMMAND [PEER-NAME PEER-COMMAND]...
bench() {
	local name=$1 cmd=$2; shift 2
	local args=(--export-json "$out/$name.json" -r "$runs"
	    --prepare "cat $F $R >/dev/null" -n pflow "$cmd")
	while [ $# -gt 0 ]; do args+=(-n "$1" "$2"); shift 2; done
	hyperfine "${args[@]}" >/dev/null 2>"$out/$name.err" || {
		echo "$name: failed: $(grep -E 'Error|non-zero' "$out/$name.err" | head -3)"
		return; }
	local rss
	rss=$( { /usr/bin/time -f %M bash -c "$cmd" >/dev/null; } 2>&1 | tail -1)
	python3 - "$out/$name.json" "$name" "$rss" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
base = res[0]["mean"]
print(f"{sys.argv[2]}: pflow {base:.2f}s, peak RSS {int(sys.argv[3]) // 1024} MiB")
for r in res[1:]:
    print(f"    {r['command']:<12} {r['mean']:7.2f}s  {r['mean'] / base:6.1f}x pflow's time")
PY
}

want() { [ $# -eq 0 ] || [[ " ${jobs[*]} " == *" $1 "* ]]; }
jobs=("$@")
[ ${#jobs[@]} -gt 0 ] || jobs=(filter map map-time reduce join latency takesort topgroup sort unique partition command pipe scan gzip zstd jsonl)
echo "# $(date -u '+%F %H:%M UTC') on $(nproc) cores, $(uname -m), $(. /etc/os-release; echo "$PRETTY_NAME"); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $F ($(du -h "$F" | cut -f1), $(($(wc -l <"$F") - 1)) records)"
# The floor: reading the file once, with wc -l and with cat.
hyperfine -r "$runs" --prepare "cat $F >/dev/null" --export-json "$out/floor.json" \
    -n "wc -l" "wc -l $F > /dev/null" -n cat "cat $F > /dev/null" >/dev/null 2>&1
python3 - "$out/floor.json" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
print("floor: " + ", ".join(f"{r['command']} {r['mean']:.2f}s" for r in res))
PY

if want filter; then
bench filter "$B/pfilter 'delay > 60' $F > /dev/null" \
	mawk "mawk -F, 'NR==1 || \$2 > 60' $F > /dev/null" \
	gawk "gawk -F, 'NR==1 || \$2 > 60' $F > /dev/null" \
	miller "mlr --csv filter '\$delay > 60' $F > /dev/null" \
	duckdb "$(duck "copy (select * from '$F' where delay > 60) to '/dev/stdout' (header)") > /dev/null"
fi
if want map; then
bench map "$B/pmap 'origin, delay' $F > /dev/null" \
	mawk "mawk -F, -v OFS=, '{print \$4, \$2}' $F > /dev/null" \
	miller "mlr --csv cut -o -f origin,delay $F > /dev/null" \
	duckdb "$(duck "copy (select origin, delay from '$F') to '/dev/stdout' (header)") > /dev/null"
fi
if want map-time; then
# Dates and fixed decimals: time() and strftime() on every record, and
# format(); beside mawk's mktime/strftime (TZ=UTC) and, on flights-3m
# (Miller takes minutes on 30 million rows), Miller's strptime/fmtnum.
T='d = strftime(time(date), "%Y-%m-%d"), f = format("%.2f", delay / 60)'
A='NR == 1 { print "d,f"; next } { split($1, a, /[-T:]/); print strftime("%Y-%m-%d", mktime(a[1] " " a[2] " " a[3] " " a[4] " " a[5] " 0")), sprintf("%.2f", $2 / 60) }'
bench map-time "$B/pmap '$T' $F > /dev/null" \
	mawk "TZ=UTC mawk -F, -v OFS=, '$A' $F > /dev/null"
M=$data/flights-3m.csv
bench map-time-3m "$B/pmap '$T' $M > /dev/null" \
	miller "mlr --icsv --ocsv put '\$d = strftime(strptime(\$date, \"%Y-%m-%dT%H:%M\"), \"%Y-%m-%d\"); \$f = fmtnum(\$delay / 60, \"%.2f\")' then cut -o -f d,f $M > /dev/null" \
	mawk "TZ=UTC mawk -F, -v OFS=, '$A' $M > /dev/null"
fi
if want reduce && [ -x "$B/preduce" ]; then
bench reduce "$B/preduce -k origin count mean:delay max:delay $F > /dev/null" \
	duckdb "$(duck "select origin, count(*), avg(delay), max(delay) from '$F' group by origin") > /dev/null" \
	miller "mlr --icsv --ocsv stats1 -a count,mean,max -f delay -g origin $F > /dev/null" \
	datamash "datamash -t, -H -s -g 4 count 4 mean 2 max 2 < $F > /dev/null"
# A 3-decimal field (distance in km) for exact sums, variances and
# percentiles, made once beside the data; from flights-3m, because
# Miller holds every value for p90 and needs over 20 GiB on flights-30m.
K=$data/flights-3m-km.csv
[ -s "$K" ] || mawk -F, -v OFS=, 'NR == 1 { print $0, "km"; next }
	{ printf "%s,%.3f\n", $0, $3 * 1.609344 }' "$data/flights-3m.csv" > "$K"
bench reduce-exact "$B/preduce -k origin sum:km var:km p90:km $K > /dev/null" \
	duckdb "$(duck "select origin, sum(km), var_samp(km), quantile_cont(km, 0.9) from '$K' group by origin") > /dev/null" \
	miller "mlr --icsv --ocsv stats1 -a sum,var,p90 -f km -g origin $K > /dev/null"
bench reduce-quoted "$B/preduce -k surface count mean:length_ft $R > /dev/null" \
	duckdb "$(duck "select surface, count(*), avg(length_ft) from '$R' group by surface") > /dev/null" \
	miller "mlr --icsv --ocsv stats1 -a count,mean -f length_ft -g surface $R > /dev/null"
fi
if want join && [ -x "$B/pjoin" ]; then
# join_job NAME FLIGHTS [PEER-NAME PEER-COMMAND]...: pjoin beside DuckDB's
# same join and mawk's two-file idiom, and any further peers
join_job() {
	local name=$1 flights=$2; shift 2
	bench "$name" "$B/pjoin -k origin,destination $data/routes.csv $flights > $out/j.csv" \
		duckdb "$(duck "copy (select f.*, r.flights, r.mean_delay, r.distance as routes_distance from '$flights' f join '$data/routes.csv' r using (origin, destination)) to '$out/dj.csv' (header)")" \
		mawk "mawk -F, -v OFS=, 'NR == FNR { t[\$1 FS \$2] = \$3 FS \$4 FS \$5; next } FNR == 1 { print \$0, \"flights,mean_delay,routes_distance\"; next } (\$4 FS \$5) in t { print \$0, t[\$4 FS \$5] }' $data/routes.csv $flights > $out/mj.csv" \
		"$@"
}
# Miller's join only on flights-3m: on 30 million rows it takes minutes.
J=$data/flights-3m.csv
join_job join "$J" \
	miller "mlr --csv join -j origin,destination -f $data/routes.csv $J > $out/mlj.csv"
join_job join-30m "$F"
rm -f "$out"/*j.csv
fi
if want latency; then
# A steady stream of 2,000 records/s: first record out, and record delays.
python3 "$here/bench/latency.py" -- "$B/pfilter" true
python3 "$here/bench/latency.py" -- mlr --csv cat
fi
if want takesort && [ -x "$B/ptakesort" ]; then
bench takesort "$B/ptakesort -n 10 -k delay:desc $F > /dev/null" \
	duckdb "$(duck "select * from '$F' order by delay desc limit 10") > /dev/null" \
	sort "tail -n +2 $F | LC_ALL=C sort -s -t, -k2,2nr --parallel=2 | head -10 > /dev/null"
fi
if want topgroup && [ -x "$B/ptakesort" ]; then
# The top 3 per group, groups in order of first appearance (flights-3m:
# Miller's top holds every group's heap in memory and is slow).
T=$data/flights-3m.csv
bench topgroup "$B/ptakesort -n 3 -g origin -k delay:desc $T > /dev/null" \
	miller "mlr --csv top -n 3 -f delay -g origin -a $T > /dev/null"
fi
if want scan && [ -x "$B/pscan" ]; then
# Running values per key (pscan): lag, running sum and row number per
# origin, the same CSV bytes as DuckDB's window functions write; -j1
# beside -j2; Miller's step on flights-3m (it takes a minute there).
S=$data/flights-3m.csv
bench scan "$B/pscan -j2 -k origin lag:delay sum:delay rank $F > /dev/null" \
	pscan-j1 "$B/pscan -j1 -k origin lag:delay sum:delay rank $F > /dev/null" \
	duckdb "$(duck "copy (select * exclude (rn), lag(delay) over w as delay_lag, sum(delay::BIGINT) over (w rows unbounded preceding) as delay_sum, row_number() over w as rank from (select *, row_number() over () as rn from read_csv('$F', all_varchar = true)) window w as (partition by origin order by rn) order by rn) to '$out/scan.csv' (header)")"
bench scan-3m "$B/pscan -j2 -k origin lag:delay sum:delay rank $S > /dev/null" \
	miller "mlr --csv step -a shift,rsum,counter -f delay -g origin $S > /dev/null"
fi
if want sort && [ -x "$B/ptakesort" ]; then
# The whole file in key order, 256 MiB of memory each, temporary files
# in $out; 3 million records, then 30 million (SORT_FILES to choose).
for S in ${SORT_FILES:-$data/flights-3m.csv $F}; do
	name=sort-$(basename "$S" .csv)
	bench "$name" "$B/ptakesort -k delay:desc --memory 256M -T $out $S > $out/ps.csv" \
		sort "tail -n +2 $S | LC_ALL=C sort -s -t, -k2,2nr --parallel=2 -S 256M -T $out > $out/ss.csv" \
		duckdb "$(duck "copy (select * from '$S' order by delay desc) to '$out/ds.csv' (header)")"
done
fi
if want unique; then
# The first record of each origin-destination pair, in input order.
bench unique "$B/pfilter --unique origin,destination true $F > /dev/null" \
	mawk "mawk -F, 'NR == 1 || !s[\$4 FS \$5]++' $F > /dev/null"
fi
if want partition && [ -x "$B/ppartition" ]; then
p=$out/part; mkdir -p "$p"
bench partition "$B/ppartition -k origin -n 8 -o $p/{}.csv $F" \
	cat "cat $F > $p/all.csv" \
	miller "cd $p && mlr --csv split -g origin $F" \
	awk "mawk -F, 'NR>1 {print > (\"$p/awk-\" \$4 \".csv\")}' $F"
fi
if want command; then
seq 10000 > "$out/seq"
# The floor: two loops of posix_spawn, 5,000 "true N" each, side by side.
cc -O2 -o "$out/spawn_loop" "$here/bench/spawn_loop.c"
bench command "$B/pmap -j2 --lines -a $out/seq -- true" \
	xargs "xargs -P2 -n1 true < $out/seq" \
	parallel "parallel -j2 true < $out/seq" \
	spawn-floor "$out/spawn_loop 5000 true 1 & $out/spawn_loop 5000 true 2; wait"
fi
if want pipe; then
# The same 4 MiB blocks and two commands at once for both.
bench pipe "$B/pmap --pipe --chunk 4M -j2 -a $F -- wc -l > /dev/null" \
	cat-wc "cat $F | wc -l > /dev/null" \
	parallel "parallel --pipe -j2 --block 4M wc -l < $F > /dev/null"
fi
if want gzip; then
# Compressed input: pfilter decodes on a thread of its own; the goal is
# the decompressor's own time (zcat, zlib's minigzip), and less than a
# pipe from it.
Z=$data/flights-30m.csv.gz
bench gzip "$B/pfilter 'delay > 60' $Z > /dev/null" \
	zcat "zcat $Z > /dev/null" \
	zcat-pfilter "zcat $Z | $B/pfilter 'delay > 60' > /dev/null"
fi
if want zstd; then
Z=$data/flights-30m.csv.zst
bench zstd "$B/pfilter 'delay > 60' $Z > /dev/null" \
	zstd-dc "zstd -dc $Z > /dev/null" \
	zstd-pfilter "zstd -dc $Z | $B/pfilter 'delay > 60' > /dev/null"
fi
if want jsonl && [ -x "$B/preduce" ]; then
# JSON Lines input: a group-by on flights-3m.jsonl beside jq's group_by,
# DuckDB's read_json, and Miller on its first 300,000 lines (Miller
# takes minutes on all of it: compare its time x 10).
JL=$data/flights-3m.jsonl
head -n 300000 "$JL" >"$out/head.jsonl"
bench jsonl "$B/preduce -k origin count mean:delay $JL > /dev/null" \
	jq "jq -s -c 'group_by(.origin)[] | {origin: .[0].origin, count: length, mean: (map(.delay) | add / length)}' $JL > /dev/null" \
	duckdb "$(duck "select origin, count(*), avg(delay) from read_json('$JL') group by origin") > /dev/null" \
	miller-300k "mlr --ijsonl --ocsv stats1 -a count,mean -f delay -g origin $out/head.jsonl > /dev/null"
fi
