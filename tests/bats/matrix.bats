#!/usr/bin/env bats
# Every record tool x every output format x every input mode, on awkward
# input (ragged rows, quoted multi-line fields, CRLF, a BOM, a NUL byte,
# invalid UTF-8, empty fields, no final newline), at -j1 and -j2 with
# small batches. tests/matrix_oracle.py writes the inputs and checks the
# outputs with Python's csv and json: no signal, -j1 output identical to
# -j2, every JSON line parses, every record reads back with exactly its
# fields, and malformed (ragged) records go to --bad and nowhere else.

load helper

ORACLE=$PFLOW_SOURCE/tests/matrix_oracle.py

setup_file() {
	python3 "$ORACLE" gen "$BATS_FILE_TMPDIR"
}

# Runs TOOL on every input (MODE-VARIANT.in) in every output format at
# -j1 and -j2, leaving stdout, status, --bad and partition files in
# $BATS_FILE_TMPDIR/out/TOOL-MODE-VARIANT-FORMAT-jN/, then checks them.
run_matrix() {
	local tool=$1 mode variant fmt j dir st
	local -a opts args
	for mode in csv csvH lines tsv tsvH; do
		case $mode in
		csv) opts=(--csv) ;;
		csvH) opts=(--csv -H) ;;
		lines) opts=(--lines -d ,) ;;
		tsv) opts=(--tsv) ;;
		tsvH) opts=(--tsv -H) ;;
		esac
		for variant in lf crlf; do
			for fmt in csv tsv jsonl; do
				for j in j1 j2; do
					dir=$BATS_FILE_TMPDIR/out/$tool-$mode-$variant-$fmt-$j
					mkdir -p "$dir"
					case $tool in
					pfilter) args=(true) ;;
					pmap) args=('*') ;;
					ptakesort) args=(-n 1000 -k 1) ;;
					preduce) args=(-k 1 count) ;;
					ppartition) args=(-n 3 -k 1 -o "$dir/p{}") ;;
					esac
					# Ragged rows under a header are malformed.
					case $mode in
					csv|tsv) args+=(--bad "$dir/bad") ;;
					esac
					if [ "$j" = j1 ]; then
						args+=(-j1)
					else
						args+=(-j2 --chunk 64 --queue 4)
					fi
					st=0
					"$tool" "${opts[@]}" "--o$fmt" "${args[@]}" \
					    "$BATS_FILE_TMPDIR/$mode-$variant.in" \
					    >"$dir/stdout" 2>/dev/null || st=$?
					if [ "$st" -ge 128 ]; then
						echo "# $tool ${opts[*]} --o$fmt ${args[*]} $mode-$variant.in: status $st"
						return 1
					fi
					echo "$st" >"$dir/status"
				done
			done
		done
	done
	python3 "$ORACLE" check "$BATS_FILE_TMPDIR" "$tool"
}

@test "pfilter true: every input mode and output format" {
	run_matrix pfilter
}

@test "pmap '*': every input mode and output format" {
	run_matrix pmap
}

@test "ptakesort -n 1000 -k 1: every input mode and output format" {
	run_matrix ptakesort
}

@test "preduce -k 1 count: every input mode and output format" {
	run_matrix preduce
}

@test "ppartition -o: every input mode and output format" {
	run_matrix ppartition
}
