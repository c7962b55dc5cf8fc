#!/usr/bin/env bats
# ptakesort orders numbers exactly, as written: long decimals that one
# double holds, integers beyond 64 bits, exponents beyond the doubles'
# range, negative zero, many spellings of one value. Reference: Python's
# fractions, ties in input order; top-N and the whole sort, ascending
# and :desc, at -j1 and -j4, a small --chunk and a small --memory.

load helper

# gen_exact FILE N SEED: "id,k" with k a number in one of many forms,
# with ties, and beside it FILE.asc and FILE.desc: the records in the
# order of Fraction(k), then id (:desc reverses the numbers only).
gen_exact() {
	python3 - "$@" <<'PY'
import random, sys
from fractions import Fraction
path, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(seed)
base = ['0.3', '0.30000000000000001', '0.29999999999999999',
        '18446744073709551616', '18446744073709551617', '9007199254740993',
        '9007199254740992', '9223372036854775807', '9223372036854775808',
        '-9223372036854775808', '-9223372036854775809', '1e-400', '-1e-400',
        '0', '-0', '0.0', '1e400', '1.0000000000000000000000001e400',
        '-1e400', '1e-5000', '123456789012345678901234567890.5']
def number():
    r = rnd.random()
    if r < 0.25:
        return rnd.choice(base)
    if r < 0.45:	# long decimals near one another
        return '%s%d.%s' % (rnd.choice(['', '-']), rnd.randint(0, 3),
            ''.join(rnd.choice('0123456789') for _ in range(rnd.randint(1, 30))))
    if r < 0.6:	# big integers
        return str(rnd.choice([-1, 1]) * rnd.randint(0, 10 ** rnd.randint(1, 30)))
    if r < 0.75:	# exponents
        return '%d.%de%s%d' % (rnd.randint(0, 9), rnd.randint(0, 99),
            rnd.choice(['', '-', '+']), rnd.randint(0, 400))
    if r < 0.9:	# one value, many spellings
        v = rnd.randint(-3, 3)
        return rnd.choice(['%d' % v, '%d.0' % v, '%d.000' % v, '%de0' % v,
            '%d0e-1' % v, '+%d' % abs(v)])
    return str(rnd.randint(-50, 50))
rows = [(i, number()) for i in range(n)]
with open(path, 'w') as f:
    f.write('id,k\n')
    for i, k in rows:
        f.write(f'{i},{k}\n')
for name, sign in (('asc', 1), ('desc', -1)):
    with open(f'{path}.{name}', 'w') as f:
        f.write('id,k\n')
        for i, k in sorted(rows, key=lambda r: (sign * Fraction(r[1]), r[0])):
            f.write(f'{i},{k}\n')
PY
}

@test "numbers in exact order against Python's fractions: top-N and whole sort, asc and :desc, every -j, --chunk and --memory" {
	local seed f dir suffix
	for seed in 1 2 3; do
		f=$BATS_TEST_TMPDIR/exact$seed.csv
		gen_exact "$f" 400 "$seed"
		for dir in asc desc; do
			suffix=; [ "$dir" = desc ] && suffix=:desc
			same_for_all_jobs ptakesort -n 1000 -k "k$suffix" "$f"
			assert_success
			assert_equal "$output" "$(cat "$f.$dir")"
			same_for_all_jobs ptakesort -k "k$suffix" "$f"
			assert_success
			assert_equal "$output" "$(cat "$f.$dir")"
			run ptakesort -j4 --chunk 64 --memory 1K -k "k$suffix" -T "$BATS_TEST_TMPDIR" "$f"
			assert_success
			assert_equal "$output" "$(cat "$f.$dir")"
			# -n smaller than the input keeps the first of that order
			run ptakesort -j4 --chunk 64 -n 7 -k "k$suffix:num" "$f"
			assert_equal "$output" "$(head -n 8 "$f.$dir")"
		done
	done
}

@test "the cases of the report: 0.3 before 0.30000000000000001, 2^64 before 2^64+1, 0 before 1e-400" {
	F=$(mkinput e.csv < <(printf 'k\n0.30000000000000001\n0.3\n18446744073709551617\n18446744073709551616\n1e-400\n0\n-0\n'))
	same_for_all_jobs ptakesort -k k "$F"
	assert_output 'k
0
-0
1e-400
0.3
0.30000000000000001
18446744073709551616
18446744073709551617'
	same_for_all_jobs ptakesort -n 3 -k k:desc "$F"
	assert_output 'k
18446744073709551617
18446744073709551616
0.30000000000000001'
	# an expression's infinity passes every written number
	G=$(mkinput inf.csv < <(printf 'k\n3e400\n1e400\n2\n-1e400\n'))
	same_for_all_jobs ptakesort -k 'k > 2e400 ? k * 1 : k' "$G"
	assert_output 'k
-1e400
2
1e400
3e400'
}
