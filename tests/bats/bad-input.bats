#!/usr/bin/env bats
# bad-input: malformed and extreme inputs through all five tools. Each must
# give the right output, a clear error with status 1 naming file:line
# (record N), or divert the record with --bad; never crash, hang or drop
# a record silently. The big inputs are generated here, not committed.

load helper

TOOLS=(pfilter pmap preduce ptakesort ppartition)

# Sets CMD to a command line that makes tool $1 show every record it kept:
# all of them, all columns, one group per first field, sorted, or one
# partition (which `through` then prints).
neutral() {
	case $1 in
	pfilter) CMD=(pfilter true) ;;
	pmap) CMD=(pmap '*') ;;
	preduce) CMD=(preduce -k 1 count) ;;
	ptakesort) CMD=(ptakesort -n 100 -k 1) ;;
	ppartition) CMD=(ppartition -k 1 -n 1 -o "$BATS_TEST_TMPDIR/part{}") ;;
	esac
}

# through TOOL [OPTION...] [FILE...]: runs TOOL's neutral command line;
# for ppartition, then prints its partition file.
through() {
	local tool=$1
	shift
	neutral "$tool"
	rm -f "$BATS_TEST_TMPDIR/part0"
	"${CMD[@]}" "$@" || return
	if [ "$tool" = ppartition ]; then
		cat "$BATS_TEST_TMPDIR/part0"
	fi
}

# Whether tool $1 is built yet (some land later than others).
built() {
	[ -x "$PFLOW_BUILD/$1" ]
}

# The tools that are built; skips the test when there are none.
built_tools() {
	local t
	BUILT=()
	for t in "${TOOLS[@]}"; do
		if built "$t"; then BUILT+=("$t"); fi
	done
	[ ${#BUILT[@]} -gt 0 ] || skip "no tool is built"
}

@test "a quote at every position: at a field's start it costs its line (status 1 or --bad), elsewhere it is data" {
	built_tools
	local base n qpos v line rec t start stop body head_len=4
	base=$'a,b\n1,x y\np q,3\n4,5\n'
	n=${#base}
	for ((qpos = 0; qpos <= n; qpos++)); do
		v=${base:0:qpos}\"${base:qpos}
		printf '%s' "$v" >"$BATS_TEST_TMPDIR/v.csv"
		cd "$BATS_TEST_TMPDIR"
		if [ $qpos -gt 0 ] && [[ ${base:qpos-1:1} != [,$'\n'] ]]; then
			# Inside an unquoted field: data, the record is read.
			for t in "${BUILT[@]}"; do
				echo "# $t, data quote at $qpos"
				run --separate-stderr through "$t" -j4 --chunk 3 v.csv
				assert_success
				assert_equal "$stderr" ""
			done
			# pfilter writes the records as they were.
			run --separate-stderr pfilter true v.csv
			[ $qpos -lt $head_len ] || assert_equal "$output" "${v%$'\n'}"
			body=${v#*$'\n'}
			assert_equal "${output#*$'\n'}" "${body%$'\n'}"
			continue
		fi
		# It opens a field and nothing closes it: its line, from the
		# line's start to its LF, is the malformed record.
		start=${base:0:qpos}
		start=${start%$'\n'*}
		[[ ${base:0:qpos} == *$'\n'* ]] && start=$((${#start} + 1)) || start=0
		stop=${v:start}
		stop=${stop%%$'\n'*}
		line=$(printf '%s' "${v:0:start}" | wc -l)
		line=$((line + 1))
		rec=$((line - 1))
		printf '%s' "${v:0:start}" >without.csv
		[ $((start + ${#stop})) -ge ${#v} ] ||
		    printf '%s' "${v:start + ${#stop} + 1}" >>without.csv
		for t in "${BUILT[@]}"; do
			echo "# $t, opening quote at $qpos"
			run --separate-stderr through "$t" v.csv
			assert_equal "$status" 1
			if [ $qpos -lt $head_len ]; then
				assert_equal "$stderr" "$t: v.csv:1 (header): unterminated quoted field"
				run --separate-stderr through "$t" --bad bad.txt v.csv
				assert_equal "$status" 1
				continue
			fi
			assert_equal "$stderr" "$t: v.csv:$line (record $rec): unterminated quoted field"
			# --bad: that line alone is set aside, the rest is read.
			run --separate-stderr through "$t" without.csv
			assert_success
			local want=$output
			rm -f bad.txt
			run --separate-stderr through "$t" --bad bad.txt -j1 v.csv
			assert_success
			assert_equal "$output" "$want"
			assert_equal "$stderr" "$t: 1 malformed record written to bad.txt"
			assert_equal "$(cat bad.txt; echo .)" "$stop"$'\n.'
			run --separate-stderr through "$t" --bad bad.txt -j4 --chunk 3 --queue 5 v.csv
			assert_success
			assert_equal "$output" "$want"
			assert_equal "$(cat bad.txt; echo .)" "$stop"$'\n.'
		done
	done
}

@test "an unterminated quote after a multi-line quoted field: the record up to the line where it opens" {
	built_tools
	local t
	printf 'a,b\n1,"x\ny"\n"p\nq","r\n4,5\n6,7\n' >"$BATS_TEST_TMPDIR/m.csv"
	for t in "${BUILT[@]}"; do
		echo "# $t"
		cd "$BATS_TEST_TMPDIR"
		run --separate-stderr through "$t" m.csv
		assert_failure 1
		assert_equal "$stderr" "$t: m.csv:4 (record 2): unterminated quoted field"
		run --separate-stderr through "$t" -j4 --chunk 2 --bad bad.txt m.csv
		assert_success
		assert_equal "$stderr" "$t: 1 malformed record written to bad.txt"
		assert_equal "$(cat bad.txt; echo .)" '"p
q","r
.'
	done
	run --separate-stderr pfilter --bad bad.txt true m.csv
	assert_output 'a,b
1,"x
y"
4,5
6,7'
}

@test "a quote inside an unquoted field is data; text after a closing quote is malformed quoting" {
	built_tools
	local t
	local f=$BATS_TEST_TMPDIR/q.csv
	printf 'a,b\n1,2\nx"y",3\n4,5\n"z"w,6\n7,8\n' >"$f"
	for t in "${BUILT[@]}"; do
		echo "# $t"
		cd "$BATS_TEST_TMPDIR"
		run --separate-stderr through "$t" q.csv
		assert_failure 1
		assert_equal "$stderr" "$t: q.csv:5 (record 4): malformed quoting"
		run --separate-stderr through "$t" --bad bad.txt q.csv
		assert_success
		assert_equal "$stderr" "$t: 1 malformed record written to bad.txt"
		assert_equal "$(cat bad.txt)" '"z"w,6'
	done
	run --separate-stderr pfilter --bad "$BATS_TEST_TMPDIR/bad.txt" true "$f"
	assert_output 'a,b
1,2
x"y",3
4,5
7,8'
}

@test "empty lines before a malformed record keep line numbers exact" {
	built_tools
	local t
	printf 'a,b\n1,2\n\n\r\n\n"x"y,3\n4,5\n' >"$BATS_TEST_TMPDIR/e.csv"
	for t in "${BUILT[@]}"; do
		echo "# $t"
		cd "$BATS_TEST_TMPDIR"
		run --separate-stderr through "$t" -j4 --chunk 4 e.csv
		assert_failure 1
		assert_equal "$stderr" "$t: e.csv:6 (record 2): malformed quoting"
	done
}

@test "a bad header after empty lines: its own line, and why" {
	built_tools
	local t
	cd "$BATS_TEST_TMPDIR"
	printf '\n\r\n"a,b\n1,2\n' >u.csv	# unterminated: the rest is the header
	printf '\n\na,"b"c\n1,2\n' >m.csv	# a quote after the closing quote
	for t in "${BUILT[@]}"; do
		echo "# $t"
		run --separate-stderr through "$t" u.csv
		assert_failure 1
		assert_equal "$stderr" "$t: u.csv:3 (header): unterminated quoted field"
		run --separate-stderr through "$t" -j4 --chunk 4 m.csv
		assert_failure 1
		assert_equal "$stderr" "$t: m.csv:3 (header): malformed quoting"
	done
}

@test "ragged rows: too few or too many fields is status 1, or --bad" {
	built_tools
	local t
	printf 'a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n' >"$BATS_TEST_TMPDIR/r.csv"
	for t in "${BUILT[@]}"; do
		echo "# $t"
		cd "$BATS_TEST_TMPDIR"
		run --separate-stderr through "$t" r.csv
		assert_failure 1
		assert_equal "$stderr" "$t: r.csv:3 (record 2): too few fields"
		run --separate-stderr through "$t" <r.csv
		assert_failure 1
		assert_equal "$stderr" "$t: stdin:3 (record 2): too few fields"
		run --separate-stderr through "$t" --bad bad.txt r.csv
		assert_success
		assert_equal "$stderr" "$t: 2 malformed records written to bad.txt"
		assert_equal "$(cat bad.txt)" '4,5
6,7,8,9'
	done
	printf 'a,b,c\n1,2,3\n6,7,8,9\n' >"$BATS_TEST_TMPDIR/r2.csv"
	for t in "${BUILT[@]}"; do
		run --separate-stderr through "$t" r2.csv
		assert_failure 1
		assert_equal "$stderr" "$t: r2.csv:3 (record 2): too many fields"
	done
	built pfilter || return 0
	run --separate-stderr pfilter --bad bad.txt true r.csv
	assert_output 'a,b,c
1,2,3
10,11,12'
	# Without a header, records may be ragged.
	run pfilter -H 'isempty($3) || $4 == 9' r.csv
	assert_success
	assert_output '4,5
6,7,8,9'
}

@test "a malformed record in the second file names that file, its line and record" {
	built_tools
	local t
	printf 'a,b\n1,2\n3,4\n' >"$BATS_TEST_TMPDIR/f1.csv"
	printf 'a,b\n5,6\n7\n' >"$BATS_TEST_TMPDIR/f2.csv"
	for t in "${BUILT[@]}"; do
		echo "# $t"
		cd "$BATS_TEST_TMPDIR"
		run --separate-stderr through "$t" -j4 --chunk 1 f1.csv f2.csv
		assert_failure 1
		assert_equal "$stderr" "$t: f2.csv:3 (record 2): too few fields"
	done
}

@test "ragged rows in CRLF input and in TSV" {
	built_tools
	local t
	printf 'a,b\r\n1,2\r\n3\r\n' >"$BATS_TEST_TMPDIR/r.csv"
	printf 'a\tb\n1\t2\n3\t4\t5\n' >"$BATS_TEST_TMPDIR/r.tsv"
	for t in "${BUILT[@]}"; do
		echo "# $t"
		cd "$BATS_TEST_TMPDIR"
		run --separate-stderr through "$t" r.csv
		assert_failure 1
		assert_equal "$stderr" "$t: r.csv:3 (record 2): too few fields"
		run --separate-stderr through "$t" --tsv r.tsv
		assert_failure 1
		assert_equal "$stderr" "$t: r.tsv:3 (record 2): too many fields"
	done
}

@test "NUL bytes are data: they pass through unchanged" {
	built_tools
	local t
	local f=$BATS_TEST_TMPDIR/nul.csv
	printf 'a,b\n1,x\0y\n2,\0\n\0,3\n' >"$f"
	for t in pfilter pmap ppartition; do
		built "$t" || continue
		echo "# $t"
		through "$t" "$f" >"$BATS_TEST_TMPDIR/out"
		cmp "$f" "$BATS_TEST_TMPDIR/out"
		through "$t" -j4 --chunk 5 "$f" >"$BATS_TEST_TMPDIR/out"
		cmp "$f" "$BATS_TEST_TMPDIR/out"
	done
	if built pfilter; then
		run pfilter -c 'len(b) == 3' "$f"
		assert_output 1
	fi
	if built ptakesort; then
		run bash -c 'ptakesort -n 5 -k b "$1" | od -An -c -w64 | tr -s " "' _ "$f"
		assert_output ' a , b \n 2 , \0 \n \0 , 3 \n 1 , x \0 y \n'
	fi
	if built preduce; then
		run bash -c 'preduce -k b count "$1" | od -An -c -w64 | tr -s " "' _ "$f"
		assert_output ' b , c o u n t \n x \0 y , 1 \n \0 , 1 \n 3 , 1 \n'
	fi
}

@test "invalid UTF-8 passes through and never breaks functions or regexes" {
	built_tools
	local t
	local f=$BATS_TEST_TMPDIR/u.csv
	printf 'name\n\xff\xfe\n\xc3\n\xe2\x82\nZ\xc3\xbcrich\n\xed\xa0\x80\n' >"$f"
	for t in pfilter pmap ppartition; do
		built "$t" || continue
		echo "# $t"
		through "$t" -j4 --chunk 4 "$f" >"$BATS_TEST_TMPDIR/out"
		cmp "$f" "$BATS_TEST_TMPDIR/out"
	done
	if built pfilter; then
		run pfilter -c 'name =~ /^.$/ || name =~ /\w/ || lower(name) != ""' "$f"
		assert_success
		assert_output 5
		run pfilter 'name =~ /rich$/' "$f"
		assert_output $'name\nZ\xc3\xbcrich'
	fi
	if built pmap; then
		run pmap 'n = len(name), u = upper(name)' "$f"
		assert_success
		assert_output $'n,u\n2,\xff\xfe\n1,\xc3\n2,\xe2\x82\n6,Z\xc3\x9cRICH\n3,\xed\xa0\x80'
	fi
	if built ptakesort; then
		run ptakesort -n 2 -k name:desc "$f"
		assert_output $'name\n\xff\xfe\n\xed\xa0\x80'
	fi
}

@test "a 100 MB field streams through every tool" {
	built_tools
	local t
	local f=$BATS_TEST_TMPDIR/big.csv
	{
		printf 'a,b\n1,'
		head -c 100000000 /dev/zero | tr '\0' x
		printf '\n2,"q""\n"\n'
	} >"$f"
	for t in pfilter pmap ppartition; do
		built "$t" || continue
		echo "# $t"
		through "$t" -j2 --chunk 64K <"$f" >"$BATS_TEST_TMPDIR/out"
		run cmp "$f" "$BATS_TEST_TMPDIR/out"
		assert_success
	done
	rm -f "$BATS_TEST_TMPDIR/out"
	if built pmap; then
		run pmap -j2 'a, n = len(b)' "$f"
		assert_output 'a,n
1,100000000
2,3'
	fi
	if built preduce; then
		preduce count max:b:longest <"$f" >"$BATS_TEST_TMPDIR/out"
		assert_equal "$(wc -c <"$BATS_TEST_TMPDIR/out")" 100000017
		assert_equal "$(head -c 20 "$BATS_TEST_TMPDIR/out")" $'count,longest\n2,xxxx'
		rm -f "$BATS_TEST_TMPDIR/out"
	fi
	if built ptakesort; then
		run bash -c 'ptakesort -n 1 -k b:desc "$1" | wc -c' _ "$f"
		assert_output 100000007
	fi
}

@test "10 million empty lines are skipped, and counted in line numbers" {
	built_tools
	local t
	local f=$BATS_TEST_TMPDIR/empty.csv
	{
		printf 'a,b\n1,2\n'
		yes '' | head -n 10000000
		printf '3,4\n5\n'
	} >"$f"
	for t in "${BUILT[@]}"; do
		echo "# $t"
		run --separate-stderr through "$t" -j2 "$f"
		assert_failure 1
		assert_equal "$stderr" "$t: $f:10000004 (record 3): too few fields"
	done
	built pfilter || return 0
	run --separate-stderr pfilter --bad /dev/null true "$f"
	assert_output 'a,b
1,2
3,4'
	run pfilter --lines -c true "$f"
	assert_output 10000004
}

@test "a header and no records" {
	built_tools
	local t
	for nl in $'\n' '' $'\r\n'; do
		printf 'a,b%s' "$nl" >"$BATS_TEST_TMPDIR/h.csv"
		for t in "${BUILT[@]}"; do
			echo "# $t, header ending in '$nl'"
			run --separate-stderr through "$t" "$BATS_TEST_TMPDIR/h.csv"
			assert_success
			assert_equal "$stderr" ""
			case $t in
			preduce) assert_output 'a,count' ;;
			*) assert_output 'a,b' ;;
			esac
		done
	done
	if built preduce; then
		run preduce count "$BATS_TEST_TMPDIR/h.csv"
		assert_output 'count
0'
	fi
}

@test "an empty file, a file of empty lines and a lone BOM give no output and status 0" {
	built_tools
	local t f
	: >"$BATS_TEST_TMPDIR/e.csv"
	printf '\n\n\r\n' >"$BATS_TEST_TMPDIR/n.csv"
	printf '\xef\xbb\xbf' >"$BATS_TEST_TMPDIR/bom.csv"
	for f in e.csv n.csv bom.csv; do
		for t in "${BUILT[@]}"; do
			echo "# $t $f"
			run --separate-stderr through "$t" "$BATS_TEST_TMPDIR/$f"
			assert_success
			assert_output ''
			assert_equal "$stderr" ""
			run --separate-stderr through "$t" <"$BATS_TEST_TMPDIR/$f"
			assert_success
			assert_output ''
		done
	done
}

@test "--bad to an unwritable path is a clear error" {
	built_tools
	local t
	printf 'a,b\n1,2\n' >"$BATS_TEST_TMPDIR/ok.csv"
	for t in "${BUILT[@]}"; do
		echo "# $t"
		run --separate-stderr through "$t" --bad /nonexistent/dir/bad.txt "$BATS_TEST_TMPDIR/ok.csv"
		assert_failure 1
		assert_equal "$stderr" "$t: /nonexistent/dir/bad.txt: No such file or directory"
	done
}
