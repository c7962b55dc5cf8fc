#!/usr/bin/env bats
# pflow on a live two-node Slurm cluster (pflow(7), BEYOND ONE MACHINE):
# tests/slurm/cluster.sh starts slurmctld and two slurmd (n1, n2, each with
# 2 CPUs) on this machine. The three recipes (streaming shuffle through
# srun, file shuffle through sbatch --array, pmap per record through srun)
# must each equal the one-process result, on the sample data and on a
# generated million records; a failed or killed task is reported, never
# silently dropped; and more copies than free CPUs must not hang.
# Skipped (with the reason) when not root or Slurm is not installed.

load helper

CLUSTER=$PFLOW_SOURCE/tests/slurm/cluster.sh
AGGS='count sum:distance mean:delay min:delay max:date median:delay p90:delay distinct:destination var:delay first:date last:date mode:destination'

# bats 1.8 cannot skip from setup_file: it leaves the reason in
# SLURM_SKIP, and setup skips each test with it.
setup_file() {
	export SLURM_SKIP=
	if [ "$(id -u)" -ne 0 ]; then
		SLURM_SKIP="the Slurm tests start slurmd and slurmctld: run them as root"
		return 0
	fi
	if ! PATH=$PATH:/usr/sbin command -v slurmctld >/dev/null ||
	    ! PATH=$PATH:/usr/sbin command -v munged >/dev/null; then
		SLURM_SKIP="Slurm is not installed (apt-get install slurm-wlm munge)"
		return 0
	fi
	local env
	env=$("$CLUSTER" start) || return 1
	eval "$env"
	# a million flights, deterministic, 26 origins
	awk 'BEGIN {
		srand(19)
		print "date,delay,distance,origin,destination"
		for (i = 0; i < 1000000; i++) {
			o = sprintf("%c%c%c", 65 + int(rand() * 26), 65 + i % 7, 88)
			d = sprintf("%c%c%c", 65 + int(rand() * 26), 66, 67)
			delay = rand() < 0.02 ? "" : int(rand() * 210) - 30
			printf "2001-%02d-%02dT%02d:%02d,%s,%d,%s,%s\n", 1 + int(i * 12 / 1000000),
			    1 + i % 28, i % 24, i % 60, delay, 120 + int(rand() * 2580), o, d
		}
	}' >"$BATS_FILE_TMPDIR/million.csv"
	export MILLION=$BATS_FILE_TMPDIR/million.csv
}

teardown_file() {
	if [ -n "${PFLOW_SLURM_DIR:-}" ]; then
		"$CLUSTER" stop
	fi
}

setup() {
	[ -z "$SLURM_SKIP" ] || skip "$SLURM_SKIP"
	cd "$BATS_TEST_TMPDIR"
	F=$DATA/flights.csv
}

# sorted_rows: the header line first, then the other lines sorted.
sorted_rows() {
	(IFS= read -r h; printf '%s\n' "$h"; LC_ALL=C sort)
}

# single FILE: one plain preduce over FILE, to want.csv.
single() {
	preduce -k origin $AGGS "$1" | sorted_rows >want.csv
}

# no_jobs_left: the cluster's queue empties (a killed run leaves nothing).
no_jobs_left() {
	local i
	for i in $(seq 50); do
		[ -z "$(squeue -h -o %i)" ] && return 0
		sleep 0.2
	done
	squeue >&2
	return 1
}

@test "the cluster: two idle nodes of 2 CPUs" {
	run sinfo -h -N -o '%N %c %t'
	assert_output 'n1 2 idle
n2 2 idle'
}

@test "streaming shuffle: ppartition -n 4 -- srun ... preduce --partial | preduce --merge equals one preduce" {
	single "$F"
	ppartition -k origin -n 4 --header-once -a "$F" -- \
	    srun -n1 -c1 --quiet preduce --partial -k origin $AGGS |
	    preduce --merge | sorted_rows >got.csv
	run cat got.csv
	assert_output "$(cat want.csv)"
	assert_equal "$(wc -l <got.csv)" 11
}

@test "streaming shuffle: the four copies run on both nodes, each with its partition" {
	# a barrier: each copy waits (30 s at most) until all four run, so
	# that they hold the four CPUs, two per node, at once
	ppartition -k origin -n 4 -a "$F" -- srun -n1 -c1 --quiet sh -c '
	    touch "ready.$PFLOW_PARTITION"; i=0
	    while [ "$(ls ready.* | wc -l)" -lt 4 ] && [ $i -lt 300 ]; do
	        sleep 0.1; i=$((i + 1))
	    done
	    echo "$PFLOW_PARTITION/$PFLOW_PARTITIONS $SLURMD_NODENAME $(wc -l)"' |
	    sort >got.txt
	run cut -d' ' -f1,3 got.txt
	# each partition's records, header included (ppartition -o agrees)
	ppartition -k origin -n 4 -o 'p{}.csv' "$F"
	assert_output "0/4 $(wc -l <p0.csv)
1/4 $(wc -l <p1.csv)
2/4 $(wc -l <p2.csv)
3/4 $(wc -l <p3.csv)"
	run sh -c "cut -d' ' -f2 got.txt | sort -u"
	assert_output 'n1
n2'
}

@test "streaming shuffle of a million records equals one preduce" {
	single "$MILLION"
	assert_equal "$(wc -l <want.csv)" 183
	ppartition -k origin -n 4 --header-once -a "$MILLION" -- \
	    srun -n1 -c1 --quiet preduce --partial -k origin $AGGS |
	    preduce --merge | sorted_rows >got.csv
	run cat got.csv
	assert_output "$(cat want.csv)"
}

# file_shuffle FILE: ppartition -o, one sbatch array task per part, merge.
file_shuffle() {
	mkdir parts
	ppartition -k origin -n 4 -o 'parts/part-{}.csv' "$1"
	run sbatch --array=0-3 --wait --quiet --output='parts/log-%a.txt' \
	    --wrap="preduce --partial -k origin $AGGS parts/part-\$SLURM_ARRAY_TASK_ID.csv > parts/partial-\$SLURM_ARRAY_TASK_ID.csv"
	assert_success
	run cat parts/log-*.txt
	assert_output ''
	preduce --merge parts/partial-*.csv | sorted_rows >got.csv
	run cat got.csv
	assert_output "$(cat want.csv)"
}

@test "file shuffle: ppartition -o, sbatch --array=0-3 --wait of preduce --partial, preduce --merge" {
	single "$F"
	file_shuffle "$F"
	assert_equal "$(ls parts/partial-*.csv | wc -l)" 4
}

@test "file shuffle of a million records equals one preduce" {
	single "$MILLION"
	file_shuffle "$MILLION"
}

@test "file shuffle driven by examples/slurm/Makefile; a failed task fails make" {
	single "$F"
	cp "$F" flights.csv
	run make -s -f "$PFLOW_SOURCE/examples/slurm/Makefile" \
	    KEY=origin AGGS="$AGGS" N=4
	assert_success
	assert_output ''
	run sorted_rows <result.csv
	assert_output "$(cat want.csv)"
	# up to date: nothing runs again
	run make -f "$PFLOW_SOURCE/examples/slurm/Makefile" KEY=origin AGGS="$AGGS" N=4
	assert_output --partial "'result.csv' is up to date"
	# a task that fails (an unknown field) fails sbatch --wait and make
	run make -s -f "$PFLOW_SOURCE/examples/slurm/Makefile" \
	    KEY=origin AGGS='count mean:nosuchfield' N=4 OUT=bad.csv WORK=bad
	assert_failure
	[ ! -e bad.csv ]
	run cat bad/log-0.txt
	assert_output --partial 'nosuchfield'
}

@test "pmap -j 4 -- srun -n1 CMD {} equals the same pmap without srun" {
	head -13 "$F" >in.csv
	pmap -j 4 -a in.csv -- sh -c 'echo "$1,$2,$(($3 / 100))"' sh {#} {origin} {distance} >want.txt
	assert_equal "$(wc -l <want.txt)" 12
	run pmap -j 4 -a in.csv -- srun -n1 --quiet \
	    sh -c 'echo "$1,$2,$(($3 / 100))"' sh {#} {origin} {distance}
	assert_success
	assert_output "$(cat want.txt)"
}

@test "pmap -j 6 -- srun: more jobs than the 4 CPUs queue in Slurm and all complete" {
	head -13 "$F" >in.csv
	pmap -j 6 -a in.csv -- sh -c 'echo "$1 $2"' sh {#} {date} >want.txt
	run timeout 120 pmap -j 6 -a in.csv -- srun -n1 --quiet \
	    sh -c 'sleep 1; echo "$1 $2"' sh {#} {date}
	assert_success
	assert_output "$(cat want.txt)"
}

@test "fault: a step killed mid-run fails ppartition (status 1) naming its partition" {
	# partition 2 reads part of its input, then is killed (SIGKILL)
	run --separate-stderr ppartition -k origin -n 4 --header-once -a "$MILLION" -- \
	    srun -n1 -c1 --quiet sh -c \
	    'if [ "$PFLOW_PARTITION" = 2 ]; then head -c 100000 >/dev/null; kill -KILL $$; fi
	     exec preduce --partial -k origin count'
	assert_failure 1
	grep -q 'ppartition: srun (PFLOW_PARTITION=2) exited with status' <<<"$stderr"
	assert_equal "$(grep -c 'PFLOW_PARTITION=[013]' <<<"$stderr")" 0
	# the other partitions' results are all there
	ppartition -k origin -n 4 -o 'p{}.csv' "$MILLION"
	{ preduce -k origin count p0.csv; preduce -k origin count p1.csv | tail -n +2
	  preduce -k origin count p3.csv | tail -n +2; } | sorted_rows >want.csv
	run sorted_rows < <(preduce --merge <<<"$output")
	assert_output "$(cat want.csv)"
	no_jobs_left
}

@test "fault: scancel of one running step fails ppartition (status 1) naming its partition" {
	# the input holds back its second half until partition 1 is cancelled
	{ head -1000 "$F"
	  for i in $(seq 300); do [ -e cancelled ] && break; sleep 0.1; done
	  tail -n +1001 "$F"; } |
	    ppartition -k origin -n 4 --header-once -- sh -c \
	    'exec srun -n1 -c1 --quiet -J "pflow-part$PFLOW_PARTITION" preduce --partial -k origin count' \
	    >out.csv 2>err.txt &
	local pid=$! i job=
	# wait for the job's step (the preduce) to run, not only its allocation
	for i in $(seq 300); do
		job=$(squeue -h -t R -n pflow-part1 -o %i)
		[ -n "$job" ] && [ -n "$(squeue -s -h -j "$job" -o %i)" ] && break
		sleep 0.1
	done
	# scancel again until the job has left the queue: under load one
	# request can time out, and then nothing would have been cancelled
	for i in $(seq 50); do
		scancel -n pflow-part1 2>/dev/null
		[ -z "$(squeue -h -t R -n pflow-part1 -o %i)" ] && break
		sleep 0.2
	done
	touch cancelled
	local st=0
	wait $pid || st=$?
	assert_equal "$st" 1
	# (Slurm's own "CANCELLED" line may or may not reach srun's stderr
	# before srun ends; ppartition's report always does)
	run cat err.txt
	assert_output --regexp 'ppartition: sh \(PFLOW_PARTITION=1\) (exited with status|was killed by signal)'
	refute_output --partial 'PFLOW_PARTITION=0'
	no_jobs_left
}

@test "fault: pmap reports a job killed through srun, and --retries 2 re-runs it to the full result" {
	head -17 "$F" >in.csv
	pmap -j 4 -a in.csv -- sh -c 'echo "$1 $2"' sh {#} {origin} >want.txt
	# record 5's first attempt kills itself; the marker file makes the
	# second attempt succeed
	cmd='if [ "$1" = 5 ] && mkdir marker 2>/dev/null; then kill -KILL $$; fi; echo "$1 $2"'
	run --separate-stderr pmap -j 4 -a in.csv --failed failed.csv -- \
	    srun -n1 --quiet sh -c "$cmd" sh {#} {origin}
	assert_failure 1
	assert_output "$(grep -v '^5 ' want.txt)"
	assert_equal "$(grep -c 'record 5' <<<"$stderr")" 1
	assert_equal "$(sed -n 2p failed.csv)" "$(sed -n 6p in.csv)"
	rmdir marker
	run --separate-stderr pmap -j 4 -a in.csv --retries 2 -- \
	    srun -n1 --quiet sh -c "$cmd" sh {#} {origin}
	assert_success
	assert_output "$(cat want.txt)"
	[ -d marker ]
}

@test "deadlock: plain srun with more copies than CPUs would wait forever (shown with timeout)" {
	run timeout -k 5 8 ppartition -k origin -n 6 --header-once -a "$MILLION" -- \
	    srun -n1 -c1 --quiet preduce --partial -k origin count
	assert_equal "$status" 124
	no_jobs_left
}

@test "deadlock answered: srun --immediate fails within seconds, status 1, naming the partitions" {
	local t0=$SECONDS
	run --separate-stderr timeout 60 ppartition -k origin -n 6 --header-once -a "$MILLION" -- \
	    srun -n1 -c1 --quiet --immediate=2 preduce --partial -k origin count
	assert_equal "$status" 1
	[ $((SECONDS - t0)) -lt 30 ]
	grep -q 'srun: error: Unable to allocate resources' <<<"$stderr"
	grep -Eq 'ppartition: srun \(PFLOW_PARTITION=[0-5]\) exited with status 1' <<<"$stderr"
	no_jobs_left
}

@test "deadlock answered: inside salloc -n 4 the recipe is safe by construction, also on a busy cluster" {
	single "$MILLION"
	# two of the four CPUs are busy for a few seconds: salloc waits for
	# its four, then every copy starts at once
	sbatch -n 2 --quiet -o /dev/null --wrap 'sleep 4'
	run --separate-stderr timeout 120 salloc -n 4 --quiet \
	    ppartition -k origin -n 4 --header-once -a "$MILLION" -- \
	    srun -N1 -n1 -c1 --exact --quiet preduce --partial -k origin $AGGS
	assert_success
	assert_equal "$stderr" ''
	run sorted_rows < <(preduce --merge <<<"$output")
	assert_output "$(cat want.csv)"
	# an allocation larger than the cluster is refused at once
	run timeout 20 salloc -n 6 --quiet true
	assert_failure 1
	assert_output --partial 'More processors requested than permitted'
}

@test "pflow(7)'s SLURM section: every session runs on the cluster with the output shown" {
	run python3 "$PFLOW_SOURCE/tests/man_examples.py" --section SLURM \
	    "$PFLOW_SOURCE" "$PFLOW_BUILD" "$PFLOW_SOURCE/man/pflow.7.in"
	assert_success
	assert_line '1..6'
	refute_output --partial 'not ok'
}
