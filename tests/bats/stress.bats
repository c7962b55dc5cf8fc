#!/usr/bin/env bats
# stress: a thousand random pipelines of the tools over generated CSV
# (quotes, embedded newlines, CRLF, empty fields, and malformed records
# sent to --bad), each stage with a random -j, --chunk and --queue,
# compared byte for byte (output, --bad file, status) with the same
# pipeline at -j1. Suite 'slow'.
#
# PFLOW_STRESS_N (default 1000) sets the number of pipelines and
# PFLOW_STRESS_SEED the seed (printed, so that a failure can be replayed).

load helper

setup_file() {
	local dir=$BATS_FILE_TMPDIR seed=${PFLOW_STRESS_SEED:-$$}
	echo "$seed" >"$dir/seed"
	# Four inputs: small and larger, LF and CRLF.
	gen 11 "$seed" >"$dir/s.csv"
	gen 400 "$((seed + 1))" >"$dir/m.csv"
	gen 3000 "$((seed + 2))" >"$dir/l.csv"
	gen 900 "$((seed + 3))" | sed 's/$/\r/' >"$dir/crlf.csv"
	# Malformed records here and there: extra fields, text after a
	# closing quote; and stray quotes inside unquoted fields, which are
	# data.
	gen 1500 "$((seed + 4))" |
	    sed '37~37s/$/,extra/; 53~53s/^/x"y"/; 71~71s/^/"q"z/' >"$dir/bad.csv"
}

# gen N SEED: N records of id,key,num,text with awkward text.
gen() {
	awk -v n="$1" -v seed="$2" 'BEGIN {
		srand(seed)
		split("plain|with, comma|say \"hi\"|two\nlines| lead|trail |" \
		    "|\303\274ml\303\244ut|a\"b|x,y\nz", texts, "|")
		print "id,key,num,text"
		for (i = 1; i <= n; i++) {
			t = texts[int(rand() * 10) + 1]
			if (t ~ /[",\n]|^ | $/) {
				gsub(/"/, "\"\"", t)
				t = "\"" t "\""
			}
			num = rand() < 0.1 ? "" : sprintf("%.2f", rand() * 200 - 50)
			if (rand() < 0.3)
				num = int(rand() * 100)
			printf "%d,k%d,%s,%s\n", i, int(rand() * 7), num, t
		}
	}'
}

# The stages a pipeline is made of, each a bash word list with OPTS where
# the options go. STAGES keep the columns id,key,num,text (so any stage
# may follow); LAST ones end a pipeline.
STAGES=(
	"pfilter OPTS 'num > 50'"
	"pfilter OPTS -v 'text =~ /a/ || isempty(num)'"
	"pfilter OPTS 'len(text) > 3 && key != \"k3\"'"
	"pmap OPTS 'id, key, num = num * 2, text = upper(text)'"
	"pmap OPTS '*'"
	"pmap OPTS 'id, key = key . \"-\" . id % 3, num, text, extra = len(text)'"
	"ptakesort OPTS -n 7 -k num:desc,id"
	"ptakesort OPTS -n 500 -k key,id:num"
)
LAST=(
	"preduce OPTS -k key count sum:num mean:num median:num"
	"preduce OPTS -k key count min:num max:num first:text last:id"
	"preduce OPTS count distinct:key max:text"
	"pmap OPTS --batch 25 -- tail -n +2"
	"ppartition OPTS -k key -n 3 -o PARTS/p{}.csv && cat PARTS/p0.csv PARTS/p1.csv PARTS/p2.csv"
	"ppartition OPTS --header-once -k key -n 3 -- preduce -k key count | sort"
)

# Random options for one stage: -j, --chunk, --queue.
random_opts() {
	local chunks=(1 7 64 100 1K 4K 64K)
	printf -- '-j%d --chunk %s --queue %d' $((RANDOM % 8 + 1)) \
	    "${chunks[RANDOM % ${#chunks[@]}]}" $((RANDOM % 8 + 1))
}

# Whether every tool named in a pipeline is built.
all_built() {
	local w
	for w in pfilter pmap preduce ptakesort ppartition; do
		if [[ $1 == *"$w "* ]] && [ ! -x "$PFLOW_BUILD/$w" ]; then
			return 1
		fi
	done
}

@test "random pipelines: any -j, --chunk and --queue give the -j1 bytes" {
	local n=${PFLOW_STRESS_N:-1000} seed k nstages s pipe ref stage
	local inputs=(s.csv m.csv l.csv crlf.csv bad.csv) input want got ran=0
	local bad=$BATS_TEST_TMPDIR/bad.txt err=$BATS_TEST_TMPDIR/err tail opts ok=0
	seed=$(cat "$BATS_FILE_TMPDIR/seed")
	echo "# seed $seed (PFLOW_STRESS_SEED=$seed to replay)" >&3
	RANDOM=$seed
	mkdir -p "$BATS_TEST_TMPDIR/parts"
	cd "$BATS_FILE_TMPDIR"
	for ((k = 0; k < n; k++)); do
		input=${inputs[RANDOM % ${#inputs[@]}]}
		nstages=$((RANDOM % 3 + 1))
		pipe=
		ref=
		tail=
		for ((s = 0; s < nstages; s++)); do
			opts=
			if ((s == 0)) && [ "$input" = bad.csv ]; then
				opts=" --bad $bad"
				tail="; cat $bad"
			fi
			if ((s == nstages - 1 && RANDOM % 2 == 0)); then
				stage=${LAST[RANDOM % ${#LAST[@]}]}
			else
				stage=${STAGES[RANDOM % ${#STAGES[@]}]}
			fi
			[ $s -eq 0 ] && stage="$stage <$input" || stage="| $stage"
			pipe="$pipe ${stage//OPTS/$(random_opts)$opts}"
			ref="$ref ${stage//OPTS/-j1$opts}"
		done
		pipe="$pipe$tail"
		ref="$ref$tail"
		all_built "$pipe" || continue
		pipe=${pipe//PARTS/$BATS_TEST_TMPDIR/parts}
		ref=${ref//PARTS/$BATS_TEST_TMPDIR/parts}
		# stderr apart: the stages write it concurrently with stdout.
		want=$(set -o pipefail; eval "$ref" 2>"$err"; echo "status $?"
		    sort "$err")
		got=$(set -o pipefail; eval "$pipe" 2>"$err"; echo "status $?"
		    sort "$err")
		if [ "$got" != "$want" ]; then
			echo "pipeline $k differs from its -j1 run:"
			echo "  $pipe"
			echo "  $ref"
			diff <(echo "$want") <(echo "$got") | head -20
			return 1
		fi
		ran=$((ran + 1))
		[[ $want != *$'\nstatus 0'* && $want != 'status 0'* ]] || ok=$((ok + 1))
	done
	echo "# $ran pipelines compared, $ok of them with status 0" >&3
	[ $ran -gt 0 ] || skip "no tool is built"
}
