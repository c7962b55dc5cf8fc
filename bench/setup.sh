#!/usr/bin/env bash
# Prepares what bench/run.sh times, from the package registries only:
#   peers    Miller, GNU datamash, gawk, mawk, GNU parallel, hyperfine and
#            GNU time from Debian; DuckDB from npm (@duckdb/node-api, whose
#            package carries its prebuilt library), queried by
#            bench/duckdb-query.mjs
#   data     flights-3m.csv: 3,000,000 real US flights from the
#            vega-datasets npm package (data/flights-3m.parquet, converted
#            to CSV by DuckDB); flights-30m.csv: the same ten times
#            (~970 MB); routes.csv: one row per origin-destination pair of
#            flights-3m (the table side of joins); runways-big.csv: the
#            repository's data/runways.csv (OurAirports, quoted CSV)
#            repeated to at least 64 MiB; flights-30m.csv.gz (gzip -6) and
#            flights-30m.csv.zst (zstd -3) for compressed input;
#            flights-3m.jsonl (DuckDB's JSON Lines) for JSON Lines input.
# Usage: bench/setup.sh [DATADIR]     (default $BENCH_DATA or /tmp/pflow-bench)
# Does nothing that is already done. As root, or with sudo for apt-get.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${1:-${BENCH_DATA:-/tmp/pflow-bench}}
mkdir -p "$data"

# Debian's packages, by the command each provides.
need=()
for pair in mlr:miller datamash:datamash gawk:gawk mawk:mawk \
    parallel:parallel hyperfine:hyperfine node:nodejs npm:npm \
    /usr/bin/time:time zstd:zstd; do
	command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
	sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

duck=$data/duckdb
"$here/../scripts/install-duckdb.sh" "$duck"
q() { node "$duck/q.mjs" "$1" >/dev/null; }

if [ ! -s "$data/flights-3m.csv" ]; then
	tmp=$(mktemp -d)
	(cd "$tmp" && npm pack --silent vega-datasets >/dev/null && tar xzf vega-datasets-*.tgz)
	q "copy (select strftime(date, '%Y-%m-%dT%H:%M') as date, delay, distance, origin, destination
	    from '$tmp/package/data/flights-3m.parquet')
	    to '$data/flights-3m.csv.part' (header, delimiter ',')"
	mv "$data/flights-3m.csv.part" "$data/flights-3m.csv"
	rm -rf "$tmp"
fi
if [ ! -s "$data/flights-30m.csv" ]; then
	{ cat "$data/flights-3m.csv"
	  for _ in 1 2 3 4 5 6 7 8 9; do tail -n +2 "$data/flights-3m.csv"; done
	} >"$data/flights-30m.csv.part"
	mv "$data/flights-30m.csv.part" "$data/flights-30m.csv"
fi
if [ ! -s "$data/routes.csv" ]; then
	q "copy (select origin, destination, count(*) as flights,
	    round(avg(delay), 2) as mean_delay, min(distance) as distance
	    from '$data/flights-3m.csv' group by all order by all)
	    to '$data/routes.csv' (header, delimiter ',')"
fi
if [ ! -s "$data/runways-big.csv" ]; then
	src=$here/../data/runways.csv
	size=$(wc -c <"$src")
	copies=$(( (64 * 1024 * 1024 + size - 1) / size ))
	{ head -1 "$src"
	  for _ in $(seq "$copies"); do tail -n +2 "$src"; done
	} >"$data/runways-big.csv.part"
	mv "$data/runways-big.csv.part" "$data/runways-big.csv"
fi
# flights-3m as JSON Lines (DuckDB writes one object a line), for the
# jsonl job.
if [ ! -s "$data/flights-3m.jsonl" ]; then
	q "copy (select * from read_csv('$data/flights-3m.csv',
	    types={'date': 'VARCHAR'})) to '$data/flights-3m.jsonl.part' (format json)"
	mv "$data/flights-3m.jsonl.part" "$data/flights-3m.jsonl"
fi
# Compressed copies of flights-30m, for the gzip and zstd jobs.
[ -s "$data/flights-30m.csv.gz" ] ||
	{ gzip -6 -c "$data/flights-30m.csv" >"$data/flights-30m.csv.gz.part" &&
	  mv "$data/flights-30m.csv.gz.part" "$data/flights-30m.csv.gz"; }
[ -s "$data/flights-30m.csv.zst" ] ||
	{ zstd -q -3 -c "$data/flights-30m.csv" >"$data/flights-30m.csv.zst.part" &&
	  mv "$data/flights-30m.csv.zst.part" "$data/flights-30m.csv.zst"; }
ls -l "$data"/*.csv "$data"/*.csv.gz "$data"/*.csv.zst
