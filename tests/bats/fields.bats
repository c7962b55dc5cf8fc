#!/usr/bin/env bats
# The field rule (SPEC "Fields"), table-driven, in every tool that names
# fields: an exact header name (spaces and all), a {braced name} ({a:b}),
# a 1-based position, an expression where key lists allow one; an unknown
# name or a position past the fields is status 2 with a message that
# quotes what was typed and lists the fields. Expected outputs are
# written out; ppartition's partitions are checked against xxhsum.

load helper

setup_file() {
	printf 'Name,Major Genre,a:b,Score\nAnn,Drama,x,3\nBob,Comedy,y,5\nCid,Drama,x,4\n' \
	    >"$BATS_FILE_TMPDIR/p.csv"
	printf 'Major Genre,Label\nDrama,D\nComedy,C\n' >"$BATS_FILE_TMPDIR/t.csv"
	printf 'id,When Seen,v\n1,2024-01-01T10:00,1\n2,2024-01-01T11:00,2\n3,2024-01-02T09:00,4\n' \
	    >"$BATS_FILE_TMPDIR/w.csv"
}

P=$BATS_FILE_TMPDIR/p.csv
T=$BATS_FILE_TMPDIR/t.csv
W=$BATS_FILE_TMPDIR/w.csv
FIELDS='(fields: Name, Major Genre, a:b, Score)'

# Each table row: the name as typed, then the expected output with "|"
# for newlines ("" for cases that are errors).

# run_rows CMD... :: NAME WANT...: runs CMD on $P for each NAME, which
# takes the place of the word @ in CMD, and checks its output is WANT.
run_rows() {
	local -a cmd=()
	while [ "$1" != "::" ]; do
		cmd+=("$1")
		shift
	done
	shift
	local typed want
	while [ $# -gt 0 ]; do
		typed=$1 want=$2
		shift 2
		run --separate-stderr "${cmd[@]/@/$typed}" <"$P"
		if [ "$status" -ne 0 ] || [ "$output" != "${want//|/$'\n'}" ]; then
			echo "name: $typed (status $status)"
			echo "stderr: $stderr"
			assert_equal "$output" "${want//|/$'\n'}"
		fi
		assert_success
	done
}

# unknown_rows CMD... :: NAME...: each NAME is status 2, message exact.
unknown_rows() {
	local -a cmd=()
	while [ "$1" != "::" ]; do
		cmd+=("$1")
		shift
	done
	shift
	local prog=${cmd[0]} typed
	for typed in "$@"; do
		run --separate-stderr "${cmd[@]/@/$typed}" <"$P"
		assert_failure 2
		assert_output ""
		echo "name: $typed"
		# the nearest name, if any, is checked in "did you mean" below
		stderr=$(sed -E "1s/; did you mean '[^']*'\\?//" <<<"$stderr")
		assert_equal "${stderr%%$'\n'*}" \
		    "$prog: unknown field '$typed' $FIELDS"
	done
}

GENRE_COUNT='Major Genre,count|Drama,2|Comedy,1'

@test "preduce -k: name with spaces, {braced}, {a:b}, position, expression" {
	run_rows preduce -k @ count :: \
	    'Major Genre' "$GENRE_COUNT" \
	    '{Major Genre}' "$GENRE_COUNT" \
	    '2' "$GENRE_COUNT" \
	    '{a:b}' 'a:b,count|x,2|y,1' \
	    'Score > 3' 'Score > 3,count|false,1|true,2' \
	    'Name,{a:b}' 'Name,a:b,count|Ann,x,1|Bob,y,1|Cid,x,1'
}

@test "preduce -k: unknown name, {unknown}, position past the fields: status 2" {
	unknown_rows preduce -k @ count :: Genre '{Genres}' 5 0
}

@test "preduce AGG FIELD: name with spaces, {braced}, {a:b}, position" {
	run_rows preduce -k 1 @ :: \
	    'mean:Score' 'Name,Score_mean|Ann,3|Bob,5|Cid,4' \
	    'mean:{Score}' 'Name,Score_mean|Ann,3|Bob,5|Cid,4' \
	    'first:Major Genre' 'Name,Major Genre_first|Ann,Drama|Bob,Comedy|Cid,Drama' \
	    'first:{Major Genre}' 'Name,Major Genre_first|Ann,Drama|Bob,Comedy|Cid,Drama' \
	    'first:{a:b}' 'Name,a:b_first|Ann,x|Bob,y|Cid,x' \
	    'first:{a:b}:ab' 'Name,ab|Ann,x|Bob,y|Cid,x' \
	    'sum:4' 'Name,4_sum|Ann,3|Bob,5|Cid,4'
}

@test "preduce AGG FIELD: unknown names are status 2, the AGG quoted" {
	local agg typed near
	for agg in 'sum:Scor' 'sum:{a:c}' 'sum:9' 'first:a:b'; do
		typed=${agg#*:}
		[ "$agg" = first:a:b ] && typed=a	# a:b unbraced is a, then NAME b
		run --separate-stderr preduce -k 1 "$agg" <"$P"
		assert_failure 2
		assert_output ""
		case $typed in
		Scor) near="; did you mean 'Score'?" ;;
		'{a:c}') near="; did you mean 'a:b'?" ;;
		*) near= ;;
		esac
		assert_equal "$stderr" "preduce: unknown field '$typed' in $agg$near $FIELDS"
	done
}

@test "preduce --time: name with spaces, {braced}, position; unknown is status 2" {
	local t want='window,count,v_sum
2024-01-01T00:00:00Z,2,3
2024-01-02T00:00:00Z,1,4'
	for t in 'When Seen' '{When Seen}' 2; do
		run --separate-stderr preduce --window event:1d --time "$t" count sum:v <"$W"
		assert_success
		assert_output "$want"
	done
	for t in When '{When}' 9; do
		run --separate-stderr preduce --window event:1d --time "$t" count <"$W"
		assert_failure 2
		assert_output ""
		near="; did you mean 'When Seen'?"
		[ "$t" = 9 ] && near=
		assert_equal "$stderr" "preduce: unknown field '$t' in --time$near (fields: id, When Seen, v)"
	done
}

# part KEY: the partition of KEY's bytes among 2: XXH64 (seed 0) mod 2,
# by xxhsum, an independent implementation.
part() {
	local h
	h=$(printf '%s' "$1" | xxhsum -H64 | cut -d' ' -f1)
	echo $((0x${h: -1} % 2))
}

@test "ppartition -k -o: each form of a name routes as the field's value does" {
	command -v xxhsum >/dev/null || skip "no xxhsum"
	local k d want0 want1 r
	# The key bytes of each row under each form, as ppartition(1) states.
	for k in 'Major Genre' '{Major Genre}' 2 '{a:b}' 'lower(Name)' 'Name,{a:b}'; do
		case $k in
		'Major Genre'|'{Major Genre}'|2) keys=(Drama Comedy Drama) ;;
		'{a:b}') keys=(x y x) ;;
		'lower(Name)') keys=(ann bob cid) ;;
		'Name,{a:b}') keys=($'Ann\x1fx' $'Bob\x1fy' $'Cid\x1fx') ;;
		esac
		want0='Name,Major Genre,a:b,Score' want1=$want0
		r=0
		for row in 'Ann,Drama,x,3' 'Bob,Comedy,y,5' 'Cid,Drama,x,4'; do
			if [ "$(part "${keys[r]}")" = 0 ]; then
				want0+=$'\n'$row
			else
				want1+=$'\n'$row
			fi
			r=$((r + 1))
		done
		d=$BATS_TEST_TMPDIR/o$RANDOM
		run --separate-stderr ppartition -k "$k" -n 2 -o "$d/{}.csv" <"$P"
		assert_success
		echo "key: $k"
		assert_equal "$(cat "$d/0.csv")" "$want0"
		assert_equal "$(cat "$d/1.csv")" "$want1"
		# The same partitions in command mode.
		run --separate-stderr ppartition -k "$k" -n 2 -- \
		    sh -c 'tail -n +2 | sed "s/^/$PFLOW_PARTITION:/"' <"$P"
		assert_success
		assert_equal "$(printf '%s\n' "$output" | grep '^0:' | cut -c3-)" \
		    "$(printf '%s\n' "$want0" | tail -n +2)"
		assert_equal "$(printf '%s\n' "$output" | grep '^1:' | cut -c3-)" \
		    "$(printf '%s\n' "$want1" | tail -n +2)"
	done
}

@test "ppartition -k: unknown name, {unknown}, position past the fields: status 2, nothing written" {
	cd "$BATS_TEST_TMPDIR"
	unknown_rows ppartition -k @ -n 2 -o 'x-{}.csv' :: Genre '{Genres}' 5
	[ ! -e x-0.csv ]
	unknown_rows ppartition -k @ -n 2 -- cat :: Genre '{Genres}' 5
}

SORTED_GENRE='Name,Major Genre,a:b,Score|Bob,Comedy,y,5|Ann,Drama,x,3|Cid,Drama,x,4'

@test "ptakesort -k: name with spaces, {braced}, {a:b}, position, expression" {
	run_rows ptakesort -n 10 -k @ :: \
	    'Major Genre' "$SORTED_GENRE" \
	    '{Major Genre}' "$SORTED_GENRE" \
	    '2' "$SORTED_GENRE" \
	    '{a:b}' 'Name,Major Genre,a:b,Score|Ann,Drama,x,3|Cid,Drama,x,4|Bob,Comedy,y,5' \
	    '-Score' 'Name,Major Genre,a:b,Score|Bob,Comedy,y,5|Cid,Drama,x,4|Ann,Drama,x,3'
}

@test "ptakesort -g: name with spaces, {braced}, {a:b}, position, expression" {
	run_rows ptakesort -n 1 -k Score -g @ :: \
	    'Major Genre' 'Name,Major Genre,a:b,Score|Ann,Drama,x,3|Bob,Comedy,y,5' \
	    '{Major Genre}' 'Name,Major Genre,a:b,Score|Ann,Drama,x,3|Bob,Comedy,y,5' \
	    '2' 'Name,Major Genre,a:b,Score|Ann,Drama,x,3|Bob,Comedy,y,5' \
	    '{a:b}' 'Name,Major Genre,a:b,Score|Ann,Drama,x,3|Bob,Comedy,y,5' \
	    'Score > 3' 'Name,Major Genre,a:b,Score|Ann,Drama,x,3|Cid,Drama,x,4'
}

@test "ptakesort -k and -g: unknown names are status 2" {
	unknown_rows ptakesort -n 1 -k @ :: Genre 5
	unknown_rows ptakesort -n 1 -k Score -g @ :: Genre '{Genres}' 5
}

@test "ptakesort -k: an unknown {braced} name is quoted as typed" {
	run --separate-stderr ptakesort -n 1 -k '{Genres}' <"$P"
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "ptakesort: unknown field '{Genres}' $FIELDS"
}

UNIQUE_GENRE='Name,Major Genre,a:b,Score|Ann,Drama,x,3|Bob,Comedy,y,5'

@test "pfilter --unique: name with spaces, {braced}, {a:b}, position, expression" {
	run_rows pfilter --unique @ true :: \
	    'Major Genre' "$UNIQUE_GENRE" \
	    '{Major Genre}' "$UNIQUE_GENRE" \
	    '2' "$UNIQUE_GENRE" \
	    '{a:b}' "$UNIQUE_GENRE" \
	    'Score > 3' "$UNIQUE_GENRE" \
	    'Name,{a:b}' 'Name,Major Genre,a:b,Score|Ann,Drama,x,3|Bob,Comedy,y,5|Cid,Drama,x,4'
	unknown_rows pfilter --unique @ true :: Genre '{Genres}' 5
}

JOINED='Name,Major Genre,a:b,Score,Label|Ann,Drama,x,3,D|Bob,Comedy,y,5,C|Cid,Drama,x,4,D'

@test "pjoin -k: name with spaces, {braced}, position, STREAMKEY=TABLEKEY, expression" {
	run_rows pjoin -k @ "$T" :: \
	    'Major Genre' "$JOINED" \
	    '{Major Genre}' "$JOINED" \
	    '2=1' "$JOINED" \
	    '{Major Genre}=Major Genre' "$JOINED" \
	    'Major Genre=1' "$JOINED"
	run_rows pjoin --semi -k @ "$T" :: \
	    'lower({Major Genre})=lower({Major Genre})' \
	    'Name,Major Genre,a:b,Score|Ann,Drama,x,3|Bob,Comedy,y,5|Cid,Drama,x,4'
}

@test "pjoin -k: unknown names are status 2" {
	unknown_rows pjoin -k @ "$T" :: Genre '{Genres}' 5
}

@test "pmap --batch-key: {braced}, {a:b}, expression" {
	local script='echo "$PFLOW_BATCH_KEY $(tail -n +2 | wc -l)"'
	run_rows pmap -j1 --batch-key @ -- sh -c "$script" :: \
	    '{Major Genre}' 'Drama 2|Comedy 1' \
	    '{a:b}' 'x 2|y 1' \
	    'lower(Name)' 'ann 1|bob 1|cid 1'
	unknown_rows pmap -j1 --batch-key @ -- sh -c "$script" :: Genre
}

@test "pmap --batch-key: a name with spaces and a position" {
	local script='echo "$PFLOW_BATCH_KEY $(tail -n +2 | wc -l)"'
	run --separate-stderr pmap -j1 --batch-key 'Major Genre' -- sh -c "$script" <"$P"
	assert_success
	assert_output $'Drama 2\nComedy 1'
	run --separate-stderr pmap -j1 --batch-key 2 -- sh -c "$script" <"$P"
	assert_success
	assert_output $'Drama 2\nComedy 1'
	run --separate-stderr pmap -j1 --batch-key 5 -- sh -c "$script" <"$P"
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "pmap: unknown field '5' $FIELDS"
}

@test "pmap -- COMMAND {name}: name with spaces, {a:b}, position" {
	run_rows pmap -j1 -- echo @ :: \
	    '{Name}' 'Ann|Bob|Cid' \
	    '{Major Genre}' 'Drama|Comedy|Drama' \
	    '{a:b}' 'x|y|x' \
	    '{2}' 'Drama|Comedy|Drama'
}

@test "pmap -- COMMAND {unknown}: text that names no field stays text (awk's {print}, x{9})" {
	run --separate-stderr pmap -j1 -- echo '{Genre}' 'x{9}' '{2}' <"$P"
	assert_success
	assert_output $'{Genre} x{9} Drama\n{Genre} x{9} Comedy\n{Genre} x{9} Drama'
}

@test "every key list: a name with spaces that names no field is quoted whole" {
	cd "$BATS_TEST_TMPDIR"
	unknown_rows preduce -k @ count :: 'Major Genres'
	run --separate-stderr preduce -k 'Name, Major Genres' count <"$P"
	assert_failure 2
	assert_equal "$stderr" "preduce: unknown field 'Major Genres'; did you mean 'Major Genre'? $FIELDS"
	unknown_rows ptakesort -n 1 -k @ :: 'Major Genres'
	unknown_rows ptakesort -n 1 -k Score -g @ :: 'Major Genres'
	unknown_rows pfilter --unique @ true :: 'Major Genres'
	unknown_rows ppartition -k @ -n 2 -o 'x-{}.csv' :: 'Major Genres'
	unknown_rows pjoin -k @ "$T" :: 'Major Genres'
	unknown_rows pmap -j1 --batch-key @ -- cat :: 'Major Genres'
}

@test "every key list: words that make an expression stay one ('Name and Score')" {
	run_rows preduce -k @ count :: 'Name and Score' 'Name and Score,count|true,3'
	run_rows ptakesort -n 1 -k Score -g @ :: 'Name and Score' \
	    'Name,Major Genre,a:b,Score|Ann,Drama,x,3'
}
