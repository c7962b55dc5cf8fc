#!/usr/bin/env bats
# latency.bats - slow input is not held back: on a steady stream of about
# 2,000 records/s, the first record comes out well within --flush's
# reach, not when a whole batch has filled (bench/latency.py measures).

load helper

# first_out CMD...: milliseconds from the first record written into CMD
# to the first record out of it, on a steady 2,000 records/s stream.
first_out() {
	python3 - "$@" <<'PY'
import subprocess, sys, threading, time
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, bufsize=0)
start = []
def produce():
    p.stdin.write(b"k,v\n")
    t0 = time.monotonic()
    start.append(t0)
    for n in range(4000):
        while time.monotonic() < t0 + n / 2000:
            pass
        try:
            p.stdin.write(b"a,%d\n" % n)
        except BrokenPipeError:
            break
    p.stdin.close()
threading.Thread(target=produce, daemon=True).start()
p.stdout.readline()                     # the header
p.stdout.readline()                     # the first record
print(int((time.monotonic() - start[0]) * 1000))
p.stdout.read()
p.wait()
PY
}

@test "a steady slow stream: the first record is out within 0.5 s" {
	for cmd in "pfilter true" "pmap k,v" "preduce --every 1 count"; do
		run first_out $cmd
		assert_success
		((output < 500)) || fail "$cmd: the first record took $output ms"
	done
}
