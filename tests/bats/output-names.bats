#!/usr/bin/env bats
# output-names: every output header has unique names. A name already
# written gets _2, _3, ... (Miller's rule), in every tool and format, so
# that JSON Lines objects never hold a key twice.

load helper

# Fails unless every line of stdin is a JSON object without a repeated key.
no_duplicate_keys() {
	python3 -c '
import json, sys
def pairs(kv):
    keys = [k for k, _ in kv]
    if len(keys) != len(set(keys)):
        sys.exit("duplicate keys: %r" % keys)
    return dict(kv)
n = 0
for line in sys.stdin:
    json.loads(line, object_pairs_hook=pairs)
    n += 1
if n == 0:
    sys.exit("no JSON lines")
'
}

@test "input header a,a passes through pfilter, ptakesort and pmap '*' numbered" {
	IN=$(mkinput in.csv < <(printf 'a,a,a_2,a\n1,2,3,4\n'))
	set -f	# pmap's '*' is no glob here
	for cmd in "pfilter true" "ptakesort -k 1" "ptakesort -n 1 -k 1" "pmap *"; do
		run --separate-stderr $cmd "$IN"
		assert_success
		assert_output "$(printf 'a,a_2,a_2_2,a_3\n1,2,3,4')"
		run --separate-stderr $cmd --ojsonl "$IN"
		assert_output '{"a":1,"a_2":2,"a_2_2":3,"a_3":4}'
		no_duplicate_keys <<<"$output"
	done
}

@test "preduce: a key named count and the count AGG" {
	IN=$(mkinput in.csv < <(printf 'count,x\n1,2\n1,3\n7,1\n'))
	same_for_all_jobs preduce -k count count count "$IN"
	assert_output "$(printf 'count,count_2,count_3\n1,2,2\n7,1,1')"
	run preduce -k count count --ojsonl "$IN"
	no_duplicate_keys <<<"$output"
	assert_line --index 0 '{"count":1,"count_2":2}'
}

@test "preduce --partial then --merge keeps the numbered AGG names" {
	IN=$(mkinput in.csv < <(printf 'count,x\n1,2\n1,3\n7,1\n'))
	run preduce -k count --partial count sum:x count "$IN"
	assert_line --index 0 'count,preduce:partial:1,count_2:count:n,x_sum:sum:n,x_sum:sum:sum,count_3:count:n'
	preduce -k count --partial count sum:x count "$IN" > "$BATS_TEST_TMPDIR/p.csv"
	run preduce --merge "$BATS_TEST_TMPDIR/p.csv"
	assert_output "$(preduce -k count count sum:x count "$IN")"
}

@test "pjoin: a TABLE column whose stemmed name exists already" {
	T=$(mkinput T.csv < <(printf 'k,v\n1,a\n'))
	S=$(mkinput s.csv < <(printf 'k,v,T_v\n1,b,c\n'))
	same_for_all_jobs pjoin -k k "$T" "$S"
	assert_output "$(printf 'k,v,T_v,T_v_2\n1,b,c,a')"
	run pjoin -k k --ojsonl "$T" "$S"
	no_duplicate_keys <<<"$output"
}

@test "pmap: a column list that names a field twice" {
	IN=$(mkinput in.csv < <(printf 'x,y\n1,2\n'))
	run pmap 'x, x, y, x' "$IN"
	assert_output "$(printf 'x,x_2,y,x_3\n1,1,2,1')"
	run pmap 'x, x_2 = y, x' --ojsonl "$IN"
	assert_output '{"x":1,"x_2":2,"x_3":1}'
	no_duplicate_keys <<<"$output"
}

@test "ppartition files get the numbered header" {
	IN=$(mkinput in.csv < <(printf 'a,a\n1,2\n'))
	run ppartition -k 1 -n 1 -o "$BATS_TEST_TMPDIR/part-{}.csv" "$IN"
	assert_success
	run cat "$BATS_TEST_TMPDIR/part-0.csv"
	assert_output "$(printf 'a,a_2\n1,2')"
}

@test "numbering follows Miller's rule on random headers (mlr as oracle)" {
	command -v mlr >/dev/null || skip "mlr is absent"
	local d=$BATS_TEST_TMPDIR f
	# 60 random headers, each with one record of its width
	python3 -c '
import random, sys
names = ["a", "a_2", "a_3", "a_2_2", "b", "b_2", "_2", "a_"]
for seed in range(1, 61):
    r = random.Random(seed)
    h = [r.choice(names) for _ in range(r.randint(1, 9))]
    with open("%s/h%02d.csv" % (sys.argv[1], seed), "w") as f:
        f.write(",".join(h) + "\n" + ",".join(str(i + 1) for i in range(len(h))) + "\n")
' "$d"
	for f in "$d"/h*.csv; do
		run --separate-stderr pfilter true "$f"
		assert_output "$(mlr --icsv --ocsv cat "$f")"
		pfilter true --ojsonl "$f" >>"$d/all.jsonl"
	done
	no_duplicate_keys <"$d/all.jsonl"
}
