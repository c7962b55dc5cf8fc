#!/usr/bin/env bats
# views: --otable, --oxtab and --omd, the views for people (csv/view.h),
# in every tool that writes records, at every -j; Miller as the oracle of
# --oxtab and --omd, and a Python model of --otable's rule (widths from
# the first 1000 records, wcwidth's display widths) on random text.

load helper

R=$'Re\xcc\x81my'	# e and a combining acute accent: 4 columns

setup() {
	W=$(mkinput w.csv < <(printf 'city,pop,note\nOslo,709,cold\n東京,13960,"big\tcity"\nRe\xcc\x81my,-2.5,"two\nlines"\nx|y,,a\\b\n'))
}

@test "--otable: aligned columns, numbers right, wide and combining text, newline and tab shown" {
	same_for_all_jobs pfilter true --otable "$W"
	assert_output "$(printf '%s\n' \
	    'city    pop  note' \
	    'Oslo    709  cold' \
	    '東京  13960  big\tcity' \
	    "$R   -2.5  two\\nlines" \
	    'x|y          a\b')"
}

@test "--oxtab: NAME VALUE lines, names padded, a blank line between records" {
	same_for_all_jobs pfilter true --oxtab "$W"
	assert_output "$(printf '%s\n' 'city Oslo' 'pop  709' 'note cold' '' \
	    'city 東京' 'pop  13960' 'note big\tcity' '' \
	    "city $R" 'pop  -2.5' 'note two\nlines' '' \
	    'city x|y' 'pop' 'note a\b')"
}

@test "--omd: a Markdown table, | escaped" {
	same_for_all_jobs pfilter true --omd "$W"
	assert_output "$(printf '%s\n' '| city | pop | note |' '| --- | --- | --- |' \
	    '| Oslo | 709 | cold |' '| 東京 | 13960 | big\tcity |' \
	    "| $R | -2.5 | two\\nlines |" '| x\|y |  | a\b |')"
}

@test "every tool writes the views: pmap, preduce, ptakesort, pjoin" {
	same_for_all_jobs pmap 'city, twice = pop * 2' --otable "$W"
	assert_output "$(printf '%s\n' 'city  twice' 'Oslo   1418' '東京  27920' \
	    "$R     -5" 'x|y')"
	same_for_all_jobs preduce -k city count sum:pop --otable "$W"
	assert_output "$(printf '%s\n' 'city  count  pop_sum' 'Oslo      1      709' \
	    '東京      1    13960' "$R      1     -2.5" 'x|y       1')"
	for n in "" "-n 2"; do
		same_for_all_jobs ptakesort $n -k pop:num:desc --oxtab "$W"
		assert_line --index 0 'city 東京'
		assert_line --index 3 'city Oslo'	# lines skips the blank one
		assert_output --partial "$(printf 'note big\\tcity\n\ncity Oslo')"
	done
	same_for_all_jobs ptakesort -k pop:num --omd "$W"
	assert_line --index 2 "| $R | -2.5 | two\\nlines |"
	T=$(mkinput t.csv < <(printf 'city,country\nOslo,Norway\n東京,日本\n'))
	same_for_all_jobs pjoin -k city --otable "$T" "$W"
	assert_output "$(printf '%s\n' 'city    pop  note       country' \
	    'Oslo    709  cold       Norway' '東京  13960  big\tcity  日本')"
}

@test "empty input, a header alone, and -H" {
	E=$(mkinput e.csv </dev/null)
	for f in --otable --oxtab --omd; do
		run --separate-stderr pfilter true $f "$E"
		assert_success
		assert_output ''
	done
	H=$(mkinput h.csv < <(printf 'a,bb\n'))
	run pfilter true --otable "$H"
	assert_output 'a  bb'
	run pfilter true --oxtab "$H"
	assert_output ''
	run pfilter true --omd "$H"
	assert_output "$(printf '| a | bb |\n| --- | --- |')"
	N=$(mkinput n.csv < <(printf '1,x\n22,yy\n'))
	run pfilter -H true --otable "$N"
	assert_output "$(printf ' 1  x\n22  yy')"
	run pfilter -H true --oxtab "$N"
	assert_output "$(printf '1 1\n2 x\n\n1 22\n2 yy')"
	run pfilter -H true --omd "$N"
	assert_output "$(printf '| 1 | 2 |\n| --- | --- |\n| 1 | x |\n| 22 | yy |')"
}

@test "control characters and invalid UTF-8 are shown escaped, never raw" {
	C=$(mkinput c.csv < <(printf 'v\n"a\x1bb\x7fc"\n\xff\xfez\n\xc2\x9b\n'))
	run pfilter true --otable "$C"
	assert_output "$(printf '%s\n' 'v' 'a\x1bb\x7fc' $'\xef\xbf\xbd\xef\xbf\xbdz' '\u009b')"
}

@test "--otable: widths from the first 1000 records; a later wider value widens its column" {
	IN=$(mkinput big.csv < <(echo 'k,n'; for i in $(seq 1 1000); do echo "a,$i"; done; echo 'wider,1'; echo 'b,123456'))
	same_for_all_jobs pfilter true --otable "$IN"
	assert_line --index 0 'k     n'
	assert_line --index 1 'a     1'
	assert_line --index 1001 'wider     1'
	assert_line --index 1002 'b      123456'
}

@test "pipes stay CSV; views refused where records are not written" {
	run pfilter true "$W"
	assert_line --index 0 'city,pop,note'
	run pmap --otable -- cat
	assert_failure 2
	assert_output --partial 'command mode'
	run ppartition -k 1 -n 2 -o "$BATS_TEST_TMPDIR/p{}" --oxtab "$W"
	assert_failure 2
	assert_output --partial 'view for people'
}

@test "--oxtab and --omd equal Miller's on random records (mlr as oracle)" {
	command -v mlr >/dev/null || skip "mlr is absent"
	python3 - "$BATS_TEST_TMPDIR" <<'PY'
import csv, random, sys
r = random.Random(27)
words = ["", "a", "bb", "x y", "1", "-2.5", "3e4", "q|r", "long value here"]
for n in range(40):
    ncols = r.randint(1, 5)
    names = [r.choice(["a", "bb", "ccc", "n", "name x"]) + str(i) for i in range(ncols)]
    with open("%s/r%d.csv" % (sys.argv[1], n), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(names)
        for _ in range(r.randint(1, 6)):
            w.writerow([r.choice(words) for _ in range(ncols)])
PY
	for n in $(seq 0 39); do
		f=$BATS_TEST_TMPDIR/r$n.csv
		run --separate-stderr pfilter true --oxtab "$f"
		assert_output "$(mlr --icsv --oxtab cat "$f" | sed 's/ *$//')"
		run --separate-stderr pfilter true --omd "$f"
		assert_output "$(mlr --icsv --omd cat "$f")"
	done
}

@test "--otable equals a model of its rule on random wide, combining and numeric text" {
	python3 - "$BATS_TEST_TMPDIR" <<'PY'
import csv, random, re, sys, unicodedata
r = random.Random(2027)
pieces = ["a", "Oslo", "東京", "한국어", "é", "e\u0301", "\u0301", "ｆｕｌｌ", "😀",
          "12", "-3.5", "0.25", "1e3", "x y", "", "\t", "\n", "\\", "7"]
num = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")
def width(s):
    w = 0
    for ch in s:
        cp = ord(ch)
        if cp == 0xAD: w += 1
        elif 0x1160 <= cp <= 0x11FF or unicodedata.category(ch) in ("Mn", "Me", "Cf"): pass
        elif unicodedata.east_asian_width(ch) in ("W", "F"): w += 2
        else: w += 1
    return w
def shown(s):
    return s.replace("\t", "\\t").replace("\n", "\\n")
for n in range(30):
    ncols = r.randint(1, 4)
    names = ["c%d" % i + r.choice(["", "名", "x"]) for i in range(ncols)]
    rows = []
    for _ in range(r.choice([0, 1, 5, 999, 1000, 1001, 1003])):
        rows.append(["".join(r.choice(pieces) for _ in range(r.randint(0, 3)))
                     for _ in range(ncols)])
    # Some columns wholly numeric.
    for c in range(ncols):
        if r.random() < 0.4:
            for row in rows:
                row[c] = r.choice(["", "1", "-22.5", "333", "4e2"])
    with open("%s/t%d.csv" % (sys.argv[1], n), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(names)
        w.writerows(rows)
    held = rows[:1000]
    widths = [width(x) for x in names]
    right = [False] * ncols
    for c in range(ncols):
        vals = [row[c] for row in held if row[c] != ""]
        right[c] = bool(vals) and all(num.match(v) for v in vals)
        for row in held:
            widths[c] = max(widths[c], width(shown(row[c])))
    out = []
    for row in [names] + rows:
        cells = []
        for c in range(ncols):
            s = shown(row[c])
            widths[c] = max(widths[c], width(s))
            pad = " " * (widths[c] - width(s))
            cells.append(pad + s if right[c] else s + pad)
        out.append("  ".join(cells).rstrip(" "))
    with open("%s/t%d.expected" % (sys.argv[1], n), "w") as f:
        f.write("\n".join(out) + "\n")
PY
	for n in $(seq 0 29); do
		run --separate-stderr pfilter true --otable "$BATS_TEST_TMPDIR/t$n.csv"
		assert_success
		assert_output "$(cat "$BATS_TEST_TMPDIR/t$n.expected")"
	done
}

@test "-D/--out-delimiter; an explicit --ocsv writes commas, -d alone keeps its delimiter" {
	S=$(mkinput s.csv < <(printf 'a;b\n1;x,y\n'))
	run pfilter -d ';' true "$S"
	assert_output "$(printf 'a;b\n1;x,y')"
	run pfilter -d ';' --ocsv true "$S"
	assert_output "$(printf 'a,b\n1,"x,y"')"
	for tool in "pfilter true" "pmap *" "ptakesort -k a" "preduce -k a count"; do
		set -f
		run --separate-stderr $tool -d ';' -D '|' "$S"
		set +f
		assert_success
		assert_line --index 0 --regexp '^a\|(b|count)$'
	done
	run pfilter -d ';' --out-delimiter '\t' true "$S"
	assert_output "$(printf 'a\tb\n1\tx,y')"
	run pfilter --lines -d ';' -D , true "$S"
	assert_output "$(printf 'a,b\n1,x,y')"
	run pfilter -D '|' --ojsonl true "$S"
	assert_failure 2
	assert_output --partial -- '-D sets the delimiter of CSV and --lines output'
	run pfilter -D '|' --tsv true "$S"
	assert_failure 2
}

@test "pflow view: the first 20 records (-n N) as --otable; a pager only on a terminal" {
	F=$PFLOW_SOURCE/data/flights.csv
	run --separate-stderr pflow view "$F"
	assert_success
	assert_output "$(pfilter --otable 'nr() <= 20' "$F")"
	assert_equal "${#lines[@]}" 21
	assert_line --index 0 'date              delay  distance  origin  destination'
	run --separate-stderr pflow view -n2 "$F"
	assert_equal "${#lines[@]}" 3
	run pflow view -n x "$F"
	assert_failure 2
	command -v script >/dev/null || skip "script(1) is absent"
	PFLOW_PAGER='sed s/^/P:/' run script -qec "pflow view -n 1 '$F'" /dev/null
	assert_line --index 0 --regexp '^P:date +delay'
	assert_line --index 1 --regexp '^P:2001-01-01T07:06 +-8'
	run env -u PFLOW_PAGER PAGER='sed s/^/Q:/' script -qec "pflow view -n 1 '$F'" /dev/null
	assert_line --index 0 --regexp '^Q:date'
	PFLOW_PAGER= PAGER='sed s/^/Q:/' run script -qec "pflow view -n 1 '$F'" /dev/null
	assert_line --index 0 --regexp '^date'
	unset LESS
	PFLOW_PAGER='echo LESS=$LESS' run script -qec "pflow view '$F'" /dev/null
	assert_output --regexp '^LESS=FRSX'
	PFLOW_PAGER=cat run script -qec "pflow view -n 1 '$F'" /dev/null
	assert_line --index 0 --regexp '^date +delay'
}

@test "every tool x every view equals its CSV output shown by pfilter, at every -j" {
	T=$(mkinput t.csv < <(printf 'city,country\nOslo,Norway\n東京,日本\n'))
	set -f
	for cmd in "pfilter true $W" "pmap city,pop $W" "preduce -k city count $W" \
	    "ptakesort -k pop:num $W" "ptakesort -n 2 -k city $W" "pjoin -k city $T $W"; do
		for view in --otable --oxtab --omd; do
			same_for_all_jobs $cmd $view
			assert_success
			assert_output "$($cmd | pfilter true $view)"
		done
	done
	set +f
}
