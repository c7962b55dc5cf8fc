#!/usr/bin/env bash
# Times pflow on the live two-node Slurm cluster of tests/slurm/cluster.sh
# (both nodes on this machine) and prints two figures:
#   - the wall time of the streaming shuffle (ppartition -n 4 -- srun ...
#     preduce --partial | preduce --merge) beside one plain preduce on the
#     same file, best of BENCH_RUNS runs each, with a check that the
#     results are equal;
#   - the per-task overhead of srun: 50 x `srun -n1 true`, one after the
#     other, divided by 50, less a plain `true`'s cost (none worth counting);
#     and the same as 50 steps inside one `salloc -n 1`, less the salloc.
#
# Usage (as root): bench/slurm.sh [FILE]   default /tmp/pflow-bench/flights-3m.csv
# Starts and stops its own cluster. Not a test.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
F=${1:-${BENCH_DATA:-/tmp/pflow-bench}/flights-3m.csv}
runs=${BENCH_RUNS:-3}
tasks=${BENCH_TASKS:-50}
[ -r "$F" ] || { echo "bench/slurm.sh: $F: no such file" >&2; exit 1; }
[ -x "$here/build/preduce" ] || meson setup "$here/build" >/dev/null
ninja -C "$here/build" >/dev/null
PATH=$here/build:$PATH
AGGS='count mean:delay median:delay distinct:destination'

eval "$("$here/tests/slurm/cluster.sh" start)"
out=$(mktemp -d)
trap '"$here/tests/slurm/cluster.sh" stop; rm -rf "$out"' EXIT

# best SECONDS-OF-EACH-RUN...: the smallest
best() { printf '%s\n' "$@" | sort -g | head -1; }
# timed COMMAND: runs it with bash, prints its wall time in seconds
timed() {
	local t0 t1
	t0=$(date +%s.%N)
	bash -c "$1"
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

one=() shuffle=() inside=()
for _ in $(seq "$runs"); do
	one+=("$(timed "preduce -k origin $AGGS '$F' | sort > '$out/one.csv'")")
	shuffle+=("$(timed "ppartition -k origin -n 4 --header-once -a '$F' -- \
	    srun -n1 -c1 --quiet preduce --partial -k origin $AGGS |
	    preduce --merge | sort > '$out/shuffle.csv'")")
	inside+=("$(timed "salloc -n 4 --quiet ppartition -k origin -n 4 --header-once -a '$F' -- \
	    srun -N1 -n1 -c1 --exact --quiet preduce --partial -k origin $AGGS |
	    preduce --merge | sort > '$out/inside.csv'")")
	cmp "$out/one.csv" "$out/shuffle.csv"
	cmp "$out/one.csv" "$out/inside.csv"
done
srun_total=$(timed "for i in \$(seq $tasks); do srun -n1 --quiet true; done")
step_total=$(timed "salloc -n 1 --quiet sh -c 'for i in \$(seq $tasks); do srun -n1 --quiet true; done'")
alloc_total=$(timed "salloc -n 1 --quiet true")
true_total=$(timed "for i in \$(seq $tasks); do /bin/true; done")

echo "file: $F ($(wc -l <"$F") lines), aggregations: $AGGS; best of $runs"
echo "one preduce:                                  $(best "${one[@]}") s"
echo "streaming shuffle, 4 x srun on 2 nodes:       $(best "${shuffle[@]}") s (results equal)"
echo "the same inside salloc -n 4 (srun steps):     $(best "${inside[@]}") s (results equal)"
per() { awk -v s="$1" -v t="$2" -v n="$tasks" 'BEGIN { printf "%.3f", (s - t) / n }'; }
echo "srun -n1 true, per task ($tasks in a row):      $(per "$srun_total" "$true_total") s (a job each)"
echo "the same as steps of one salloc -n 1:         $(per "$step_total" "$alloc_total") s (a step each)"
