#!/usr/bin/env bats
# pfilter --unique: the first record of each key, in input order
# (Enum/Flow uniq_by), against awk '!seen[key]++' and at every -j.

load helper

setup_file() {
	# unquoted random records with many repeated keys
	python3 - "$BATS_FILE_TMPDIR/u.csv" <<'PY'
import random, sys
r = random.Random(7)
with open(sys.argv[1], "w") as f:
    f.write("id,a,b,v\n")
    for i in range(20000):
        f.write("%d,%s,%s,%d\n" % (i, r.choice("pqrstu"), r.randint(0, 60),
                                   r.randint(-50, 50)))
PY
}

U=$BATS_FILE_TMPDIR/u.csv

@test "--unique equals awk '!seen[key]++' for one and several keys" {
	run pfilter --unique a true "$U"
	assert_success
	assert_output "$(awk -F, 'NR == 1 || !s[$2]++' "$U")"
	run pfilter --unique a,b 'v > 0' "$U"
	assert_success
	assert_output "$(awk -F, 'NR == 1 || ($4 > 0 && !s[$2 FS $3]++)' "$U")"
	run pfilter -v --unique 3 'v > 0' "$U"
	assert_success
	assert_output "$(awk -F, 'NR == 1 || (!($4 > 0) && !s[$3]++)' "$U")"
	run pfilter -c --unique b true "$U"
	assert_success
	assert_output "$(tail -n +2 "$U" | cut -d, -f3 | sort -u | wc -l)"
}

@test "--unique is the same for every -j and --chunk" {
	same_for_all_jobs pfilter --unique a,b true "$U"
	assert_success
	assert_equal "${#lines[@]}" "$(($(tail -n +2 "$U" | cut -d, -f2,3 | sort -u | wc -l) + 1))"
	same_for_all_jobs pfilter --unique 'b % 7' 'a != "p"' "$U"
	assert_output "$(awk -F, 'NR == 1 || ($2 != "p" && !s[$3 % 7]++)' "$U")"
	same_for_all_jobs pfilter -c --unique a,b true "$U"
}

@test "--unique keys parts apart, keeps quoted records whole, writes any format" {
	in=$(mkinput q.csv < <(printf 'k1,k2,v\n"a,b",c,1\na,"b,c",2\n"a,b",c,3\n"x\ny",,4\n"x\ny",,5\n'))
	run pfilter --unique k1,k2 true "$in"
	assert_success
	assert_output "$(printf 'k1,k2,v\n"a,b",c,1\na,"b,c",2\n"x\ny",,4')"
	run pfilter --ojsonl --unique k1 true "$in"
	assert_success
	assert_output '{"k1":"a,b","k2":"c","v":1}
{"k1":"a","k2":"b,c","v":2}
{"k1":"x\ny","k2":"","v":4}'
	run --separate-stderr pfilter --stats --unique k1 true "$in"
	[[ ${stderr_lines[0]} == "pfilter: 5 records in, 3 records out, "* ]] ||
	    fail "${stderr_lines[0]}"
}

@test "--unique streams: a first record is written before the input ends" {
	# the third line arrives while the producer still sleeps
	run bash -c 'start=$(date +%s%N)
	    { printf "k,v\na,1\na,2\nb,3\n"; sleep 6; printf "c,4\n"; } |
	    pfilter --unique k true | {
		read -r h; read -r l1; read -r l2
		echo "$l2 $((($(date +%s%N) - start) / 1000000))"
		cat >/dev/null
	    }'
	assert_success
	assert_output --regexp '^b,3 [0-9]+$'
	((${output#b,3 } < 3000)) || fail "the first records took ${output#b,3 } ms"
}

@test "--unique: an unknown key is a usage error" {
	run --separate-stderr pfilter --unique nope true "$U"
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "pfilter: unknown field 'nope' (fields: id, a, b, v)"
}
