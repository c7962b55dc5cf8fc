#!/usr/bin/env bats
# pmap expression mode: columns, formats, awkward CSV and errors.

load helper

setup() {
	F=$(mkinput f.csv <<'CSV'
id,name,delay
1,alpha,5
2,"beta, the second",70
3,gamma,
4,"say ""hi""",61
CSV
)
}

@test "named columns, fields and expressions" {
	same_for_all_jobs pmap 'id, late = delay > 60, d2 = delay * 2' "$F"
	assert_success
	assert_output 'id,late,d2
1,false,10
2,true,140
3,false,
4,true,122'
}

@test "* keeps all fields; fields are re-quoted minimally" {
	same_for_all_jobs pmap '*, n = len(name)' "$F"
	assert_output 'id,name,delay,n
1,alpha,5,5
2,"beta, the second",70,16
3,gamma,,5
4,"say ""hi""",61,8'
}

@test "an unnamed expression is named by its text" {
	run pmap 'upper(name), delay + 1' "$F"
	assert_output 'upper(name),delay + 1
ALPHA,6
"BETA, THE SECOND",71
GAMMA,
"SAY ""HI""",62'
}

@test "values with newlines and leading spaces are quoted" {
	same_for_all_jobs pmap 'a = name . "\n!", b = " " . id' "$F"
	assert_output 'a,b
"alpha
!"," 1"
"beta, the second
!"," 2"
"gamma
!"," 3"
"say ""hi""
!"," 4"'
}

@test "a lone empty column is written as \"\"" {
	same_for_all_jobs pmap 'delay' "$F"
	assert_output 'delay
5
70
""
61'
}

@test "--ojsonl and --otsv" {
	run pmap --ojsonl 'id, name' "$F"
	assert_output '{"id":1,"name":"alpha"}
{"id":2,"name":"beta, the second"}
{"id":3,"name":"gamma"}
{"id":4,"name":"say \"hi\""}'
	run pmap --otsv 'id, name' "$F"
	assert_output "$(printf 'id\tname\n1\talpha\n2\tbeta, the second\n3\tgamma\n4\tsay "hi"')"
}

@test "--lines: \$0 and split fields; output joined by the delimiter" {
	G=$(mkinput g.txt < <(printf 'a:b:c\nd:e:f\n'))
	same_for_all_jobs pmap --lines -d : '$3, $1, upper($0)' "$G"
	assert_output 'c:a:A:B:C
f:d:D:E:F'
	run pmap --lines 'len($0)' "$G"
	assert_output '5
5'
}

@test "-H: positions, no header" {
	G=$(mkinput g.csv < <(printf '1,x\n2,y\n'))
	same_for_all_jobs pmap -H '$2, n = $1 * 10' "$G"
	assert_output 'x,10
y,20'
}

@test "-H: * writes every field a record has, wider or narrower than the first" {
	G=$(mkinput g.csv < <(printf '1,a\n2,b,extra\n3\n'))
	same_for_all_jobs pmap -H '*' "$G"
	assert_output '1,a
2,b,extra
3'
	same_for_all_jobs pmap -H --ojsonl 'x = 0, *, $2' "$G"
	# $2 named after * takes field 2 out of it (no key twice)
	assert_output '{"x":0,"1":1,"2":"a"}
{"x":0,"1":2,"3":"extra","2":"b"}
{"x":0,"1":3,"2":""}'
	same_for_all_jobs pmap --lines -d , --otsv '*' "$G"
	assert_output "$(printf '1\ta\n2\tb\textra\n3')"
}

@test "CRLF, BOM, embedded newlines and no final newline" {
	G=$(mkinput g.csv < <(printf '\xef\xbb\xbfa,b\r\n"x\r\ny",1\r\n"z",2'))
	same_for_all_jobs pmap 'b, a' "$G"
	assert_output "$(printf 'b,a\n1,"x\r\ny"\n2,z')"
}

@test "a field of 2 MB passes through whole" {
	big=$(head -c 2000000 /dev/zero | tr '\0' 'x')
	G=$(mkinput g.csv < <(printf 'a,b\n1,"%s"\n2,y\n' "$big"))
	run pmap -j4 --chunk 64K 'a, n = len(b)' "$G"
	assert_output 'a,n
1,2000000
2,1'
}

@test "several files, malformed input, --bad" {
	G=$(mkinput g.csv < <(printf 'id,name,delay\n5,"open\n'))
	run --separate-stderr pmap 'id' "$F" "$G"
	assert_failure 1
	assert_output 'id
1
2
3
4'
	assert_equal "$stderr" "pmap: $G:2 (record 1): unterminated quoted field"
	run --separate-stderr pmap --bad "$BATS_TEST_TMPDIR/bad" 'id' "$F" "$G"
	assert_success
	assert_equal "$(cat "$BATS_TEST_TMPDIR/bad")" '5,"open'
}

@test "syntax errors and unknown fields are status 2" {
	run --separate-stderr pmap 'id, = 3' "$F"
	assert_failure 2
	run --separate-stderr pmap 'id, x = nope' "$F"
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "pmap: unknown field 'nope' (fields: id, name, delay)"
	run pmap
	assert_failure 2
}

@test "--help and --version" {
	run pmap --help
	assert_success
	assert_line --index 0 'usage: pmap [OPTIONS] EXPR [FILE...]'
	run pmap --version
	assert_output --regexp '^pmap \(pflow\) [0-9.]+$'
}

@test "agrees with Miller on computed columns over the sample flights" {
	command -v mlr >/dev/null || skip "mlr not installed"
	same_for_all_jobs pmap 'origin, destination, distance' "$DATA/flights.csv"
	assert_equal "$output" "$(mlr --csv cut -o -f origin,destination,distance "$DATA/flights.csv")"
}

@test "a column assigned again is replaced in place; -NAME removes one" {
	A=$DATA/airports.csv
	run pmap '*, name = upper(name), -elevation_ft' "$A"
	assert_success
	assert_line --index 0 'id,ident,type,name,iso_country,municipality'
	assert_output "$(python3 - "$A" <<'PY'
import csv, io, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
out = io.StringIO()
w = csv.writer(out, lineterminator="\n")
for i, r in enumerate(rows):
    r = r[:]
    if i > 0:
        r[3] = r[3].upper()
    del r[4]
    w.writerow(r)
print(out.getvalue(), end="")
PY
)"
	# the replaced column is found by the next tool under its name
	run bash -c "pmap '*, name = upper(name)' '$A' | pfilter -c 'name == \"LAKE BAY\"'"
	assert_output "$(grep -c ',Lake Bay,' "$A")"
	run pmap 'id, x = 1, x = id + 1, -id' "$A"
	assert_success
	assert_line --index 0 'x'
	assert_line --index 1 "$(($(sed -n 2p "$A" | cut -d, -f1) + 1))"
	run --separate-stderr pmap 'id, -nope' "$A"
	assert_failure 2
	assert_equal "$stderr" "pmap: no column 'nope' to remove
  id, -nope
      ^"
	# an expression that only starts with '-' stays an expression
	run pmap 'id, d = -elevation_ft, -(elevation_ft)' "$A"
	assert_success
	assert_line --index 0 'id,d,-(elevation_ft)'
}
