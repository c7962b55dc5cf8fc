#!/bin/sh
# cluster.sh - a live two-node Slurm cluster on this machine, for the tests.
#
#   eval "$(tests/slurm/cluster.sh start)"   # prints the environment to use
#   tests/slurm/cluster.sh env [DIR]         # prints it again
#   tests/slurm/cluster.sh stop [DIR]        # DIR defaults to $PFLOW_SLURM_DIR
#
# start makes a temporary folder (or uses $PFLOW_SLURM_DIR when it names a
# folder that does not exist yet) holding everything: a munge key, socket
# and log for a private munged, slurm.conf, the controller's state, the
# nodes' spool folders, pid files and logs. It starts munged, slurmctld and
# two slurmd (nodes n1 and n2 on this host, 127.0.0.1, ports
# $PFLOW_SLURM_PORT+1 and +2; the controller listens on $PFLOW_SLURM_PORT,
# default 17000), each node advertising $PFLOW_SLURM_CPUS CPUs (default 2),
# and waits until sinfo shows both nodes idle. Then it prints
#   export SLURM_CONF=DIR/slurm.conf PFLOW_SLURM_DIR=DIR
# for the client commands (srun, sbatch, sinfo...). On any failure it says
# why on standard error, shows the daemons' logs, stops what it started
# and exits 1.
#
# stop cancels the cluster's jobs, ends only the daemons this script
# started (by the pids it recorded, checked against /proc), and removes the
# folder. It is idempotent: stopping a stopped cluster succeeds.
#
# Needs root (the daemons run as root: SlurmUser=root), slurm-wlm and
# munge (Debian 12: slurm 22.05, munge 0.5).

set -u
PATH=$PATH:/usr/sbin:/sbin
PROG=cluster.sh
PORT=${PFLOW_SLURM_PORT:-17000}
CPUS=${PFLOW_SLURM_CPUS:-2}
START_TIMEOUT=${PFLOW_SLURM_TIMEOUT:-60}
MARK=.pflow-slurm-cluster
NODES="n1 n2"

die() {
	echo "$PROG: $*" >&2
	exit 1
}

# alive PIDFILE NAME: the recorded process is running and is the program
# NAME (not a zombie, not another program that got the pid since).
alive() {
	[ -s "$1" ] || return 1
	pid=$(cat "$1")
	prog=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n 1)
	[ "${prog##*/}" = "$2" ]
}

# launch NAME COMMAND...: runs a daemon in the foreground mode of its own,
# in the background, in a session of its own, with no inherited
# descriptors (bats waits for its fd 3 to close), recording its pid.
launch() {
	name=$1
	shift
	setsid "$@" </dev/null >>"$DIR/log/$name.out" 2>&1 3>&- 4>&- 5>&- &
	echo $! >"$DIR/pid/$name.pid"
}

# wait_for SECONDS WHAT COMMAND...: retries COMMAND every 0.2s.
wait_for() {
	secs=$1
	what=$2
	shift 2
	i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ "$i" -ge $((secs * 5)) ]; then
			echo "$PROG: timed out after $secs s waiting for $what" >&2
			return 1
		fi
		sleep 0.2
	done
}

# port_free PORT: nothing listens on it (unknown without ss: assumed free,
# and a daemon that cannot bind says so in its log).
port_free() {
	command -v ss >/dev/null 2>&1 || return 0
	! ss -Htln "sport = :$1" 2>/dev/null | grep -q .
}

nodes_idle() {
	n=$(sinfo -h -N -o '%N %t' 2>/dev/null | grep -c ' idle$')
	[ "$n" -eq 2 ]
}

munge_works() {
	munge -n -S "$DIR/munge/socket" | unmunge -S "$DIR/munge/socket"
}

show_logs() {
	for f in "$DIR"/log/*; do
		[ -s "$f" ] || continue
		echo "--- $f (last lines)" >&2
		tail -n 15 "$f" >&2
	done
}

fail_start() {
	echo "$PROG: $*" >&2
	show_logs
	stop_cluster
	exit 1
}

write_conf() {
	host=$(hostname)
	cat >"$DIR/slurm.conf" <<EOF
# Written by tests/slurm/cluster.sh: two nodes on one machine.
ClusterName=pflow
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/socket
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd-%n.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
KillWait=2
MinJobAge=60
InactiveLimit=0
EnforcePartLimits=ALL
PlugStackConfig=$DIR/plugstack.conf
NodeName=n1 NodeHostname=$host NodeAddr=127.0.0.1 Port=$((PORT + 1)) CPUs=$CPUS State=UNKNOWN
NodeName=n2 NodeHostname=$host NodeAddr=127.0.0.1 Port=$((PORT + 2)) CPUs=$CPUS State=UNKNOWN
PartitionName=pflow Nodes=n1,n2 Default=YES MaxTime=INFINITE State=UP
EOF
	: >"$DIR/plugstack.conf"
}

start_cluster() {
	[ "$(id -u)" -eq 0 ] || die "must run as root (the daemons run as SlurmUser=root)"
	for c in munged munge unmunge slurmctld slurmd scontrol sinfo squeue scancel srun setsid; do
		command -v "$c" >/dev/null 2>&1 ||
			die "$c not found: install slurm-wlm and munge (scripts/install-deps.sh)"
	done
	for p in "$PORT" $((PORT + 1)) $((PORT + 2)); do
		port_free "$p" || die "port $p is in use (another cluster?); set PFLOW_SLURM_PORT"
	done
	if [ -n "${PFLOW_SLURM_DIR:-}" ]; then
		[ -e "$PFLOW_SLURM_DIR" ] && die "$PFLOW_SLURM_DIR exists; stop that cluster first"
		DIR=$PFLOW_SLURM_DIR
		mkdir -m 700 "$DIR" || exit 1
	else
		DIR=$(mktemp -d "${TMPDIR:-/tmp}/pflow-slurm.XXXXXX") || exit 1
	fi
	DIR=$(cd "$DIR" && pwd -P)
	: >"$DIR/$MARK"
	trap 'fail_start "interrupted"' HUP INT TERM
	mkdir -m 700 "$DIR/munge" "$DIR/log" "$DIR/pid" "$DIR/run" "$DIR/state" "$DIR/spool"
	SLURM_CONF=$DIR/slurm.conf
	export SLURM_CONF

	# munge: its own key, socket, pid, seed and log, all in DIR
	dd if=/dev/urandom of="$DIR/munge/key" bs=1024 count=1 2>/dev/null ||
		fail_start "cannot write the munge key"
	chmod 400 "$DIR/munge/key"
	launch munged munged --foreground --force --key-file="$DIR/munge/key" \
	    --socket="$DIR/munge/socket" --pid-file="$DIR/run/munged.pid" \
	    --seed-file="$DIR/munge/seed" --log-file="$DIR/log/munged.log"
	wait_for 10 "munged to answer on $DIR/munge/socket" munge_works ||
		fail_start "munged did not start"

	write_conf
	launch slurmctld slurmctld -D -c -f "$SLURM_CONF"
	wait_for 20 "slurmctld to answer" scontrol ping ||
		fail_start "slurmctld did not start"
	for n in $NODES; do
		launch "slurmd-$n" slurmd -D -N "$n" -f "$SLURM_CONF"
	done
	wait_for "$START_TIMEOUT" "nodes n1 and n2 to be idle" nodes_idle ||
		fail_start "the nodes did not come up: $(sinfo -h -N -o '%N=%t' 2>&1 | tr '\n' ' ')"
	print_env
}

print_env() {
	printf "export SLURM_CONF='%s' PFLOW_SLURM_DIR='%s'\n" "$DIR/slurm.conf" "$DIR"
}

# kill_daemon NAME PROGRAM: TERM, then KILL after 10 s, if it is ours.
kill_daemon() {
	f=$DIR/pid/$1.pid
	alive "$f" "$2" || return 0
	pid=$(cat "$f")
	kill -TERM "$pid" 2>/dev/null
	i=0
	while alive "$f" "$2" && [ "$i" -lt 50 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	if alive "$f" "$2"; then
		echo "$PROG: $2 (pid $pid) did not end on SIGTERM: SIGKILL" >&2
		kill -KILL "$pid" 2>/dev/null
	fi
	rm -f "$f"
}

stop_cluster() {
	[ -d "$DIR" ] || return 0
	[ -e "$DIR/$MARK" ] || die "$DIR is not a folder made by $PROG: left alone"
	SLURM_CONF=$DIR/slurm.conf
	export SLURM_CONF
	# end the jobs first, while slurmctld and the slurmd can still do it
	if alive "$DIR/pid/slurmctld.pid" slurmctld; then
		scancel --quiet --full --user=root 2>/dev/null
		i=0
		while [ -n "$(squeue -h -o %i 2>/dev/null)" ] && [ "$i" -lt 50 ]; do
			sleep 0.2
			i=$((i + 1))
		done
	fi
	for n in $NODES; do
		kill_daemon "slurmd-$n" slurmd
	done
	kill_daemon slurmctld slurmctld
	kill_daemon munged munged
	rm -rf "$DIR"
}

cmd=${1:-}
case $cmd in
start)
	start_cluster
	;;
env|stop)
	DIR=${2:-${PFLOW_SLURM_DIR:-}}
	[ -n "$DIR" ] || die "$cmd: which cluster? give its folder or set PFLOW_SLURM_DIR"
	if [ "$cmd" = env ]; then
		[ -e "$DIR/$MARK" ] || die "$DIR: no cluster there"
		print_env
	else
		stop_cluster
	fi
	;;
*)
	echo "usage: $PROG start | env [DIR] | stop [DIR]" >&2
	exit 2
	;;
esac
