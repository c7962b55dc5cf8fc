# pflow.bash - bash completion for pfilter, pmap, preduce, ptakesort,
# ppartition and pjoin: options and their arguments, preduce's AGG functions,
# ptakesort's key suffixes, and field names read from the header of the
# first CSV/TSV file named on the command line.
#
# Also the front command: "pflow TOOL ARGS" completes the tool names, then
# the tool's own arguments.
#
# Installed as DATADIR/bash-completion/completions/pflow with a link per
# tool (bash-completion loads a file by the command's name), or source
# it by hand. With -Dprogram_prefix=, the links and the names below carry
# the prefix (scripts/install-prefix.sh).

_pflow_common_opts='--csv --tsv --lines --jsonl --ijsonl -d --delimiter -H --no-header --names --union --ocsv --otsv --ojsonl --otable --oxtab --omd -D --out-delimiter --bad -j --jobs --chunk --queue --flush --progress --progress=always --stats --strict -h --help --version'
_pflow_agg_funcs='count sum mean min max first last distinct stdev var median p50 p90 p95 p99 mode'
_pflow_scan_steps='count sum mean min max first fill lag lead delta ratio msum mmean mmin mmax ewma session'

# _pflow_tool_opts TOOL: the options of TOOL beyond the common ones.
_pflow_tool_opts() {
	case $1 in
	pfilter) echo '-v --invert -c --count --unique --seed' ;;
	pmap) echo '-a --arg-file --unordered --timeout --retries --halt --failed --batch --batch-timeout --batch-key --pipe --rate --joblog --resume --seed --explode --sep --melt' ;;
	preduce) echo '-k --key --keys --partial --merge --every --interval --window --time --lateness --pivot --summary --memory' ;;
	ptakesort) echo '-n --count -k --key --keys -g --group --sample --seed --memory -T --temporary-directory' ;;
	pjoin) echo '-k --key --keys --left --anti --semi --ignore-case --memory --table-csv --table-tsv --table-jsonl' ;;
	pscan) echo '-k --key --keys --time --memory' ;;
	ppartition) echo '-k --key --keys -n --partitions -o --output --by-value --max-open -a --arg-file --broadcast --header-once' ;;
	esac
}

# _pflow_takes_arg TOOL OPTION: true when OPTION takes a separate argument.
_pflow_takes_arg() {
	case $2 in
	-d|--delimiter|-D|--out-delimiter|--names|--bad|-j|--jobs|--chunk|\
	--queue|--flush) return 0 ;;
	esac
	case $1:$2 in
	pfilter:--unique|pfilter:--seed|pmap:--seed) return 0 ;;
	pmap:-a|pmap:--arg-file|pmap:--timeout|pmap:--retries|pmap:--failed|\
	pmap:--batch|pmap:--batch-timeout|pmap:--batch-key|pmap:--rate|\
	pmap:--joblog|pmap:--explode|pmap:--sep|pmap:--melt) return 0 ;;
	preduce:-k|preduce:--key|preduce:--keys|preduce:--every|\
	preduce:--interval|preduce:--window|preduce:--time|\
	preduce:--lateness|preduce:--pivot|preduce:--memory) return 0 ;;
	ptakesort:-n|ptakesort:--count|ptakesort:-k|ptakesort:--key|\
	ptakesort:--keys|ptakesort:-g|ptakesort:--group|ptakesort:--seed|\
	ptakesort:--memory|ptakesort:-T|ptakesort:--temporary-directory) return 0 ;;
	pjoin:-k|pjoin:--key|pjoin:--keys|pjoin:--memory) return 0 ;;
	pscan:-k|pscan:--key|pscan:--keys|pscan:--time|pscan:--memory) return 0 ;;
	ppartition:-k|ppartition:--key|ppartition:--keys|ppartition:-n|ppartition:--partitions|\
	ppartition:-o|ppartition:--output|ppartition:--max-open|\
	ppartition:-a|ppartition:--arg-file) return 0 ;;
	esac
	return 1
}

# _pflow_files CUR: the files and directories CUR begins, as readline's
# own filename completion gives them (a '/' after a directory, no space).
_pflow_files() {
	mapfile -t COMPREPLY < <(compgen -f -- "$1")
	compopt -o filenames 2>/dev/null
	return 0
}

# _pflow_cursor_word: when the cursor stands in the blanks before word
# COMP_CWORD ("-k | FILE": bash names FILE the current word), inserts an
# empty word there in COMP_WORDS, the one completed. Leaves the words as
# they are when they are not found in COMP_LINE in order.
_pflow_cursor_word() {
	local i pos=0 rest skip
	((COMP_CWORD < ${#COMP_WORDS[@]})) || return 0
	for ((i = 0; i <= COMP_CWORD; i++)); do
		rest=${COMP_LINE:pos}
		skip=${rest%%"${COMP_WORDS[i]}"*}
		[[ $skip == "$rest" && -n ${COMP_WORDS[i]} ]] && return 0
		pos=$((pos + ${#skip}))
		((i < COMP_CWORD)) && pos=$((pos + ${#COMP_WORDS[i]}))
	done
	((pos > COMP_POINT)) || return 0
	COMP_WORDS=("${COMP_WORDS[@]:0:COMP_CWORD}" "" "${COMP_WORDS[@]:COMP_CWORD}")
}

# _pflow_words: sets _pflow_w (the words, with the ones bash split at ':'
# or '=' joined again, as typed) and _pflow_cw (the index of the current
# word in it).
_pflow_words() {
	local i w glue=0
	_pflow_w=() _pflow_cw=0
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		if ((i > 0)) && { [[ $w == : || $w == = ]] || ((glue)); }; then
			_pflow_w[${#_pflow_w[@]}-1]+=$w
			[[ $w == : || $w == = ]] && glue=1 || glue=0
		else
			_pflow_w+=("$w")
			glue=0
		fi
		((i == COMP_CWORD)) && _pflow_cw=$((${#_pflow_w[@]} - 1))
	done
	((COMP_CWORD >= ${#COMP_WORDS[@]})) && { _pflow_w+=(""); _pflow_cw=$((${#_pflow_w[@]} - 1)); }
	return 0
}

# _pflow_fields [SKIP]: the header's field names of the first readable file
# among the words (skipping option arguments that are not inputs), or of
# the one after SKIP such files (pjoin: 0 is TABLE, 1 the stream), one a
# line.
_pflow_fields() {
	local tool i w file= delim=, fmt=csv noheader=0 prev= skip=${1:-0}
	tool=$(_pflow_tool_name "${_pflow_w[0]##*/}")
	for ((i = 1; i < ${#_pflow_w[@]}; i++)); do
		w=${_pflow_w[i]}
		case $w in
		--tsv) fmt=tsv ;;
		--lines) fmt=lines ;;
		-H|--no-header) noheader=1 ;;
		-d\\t|--delimiter=\\t) delim=$'\t' ;;
		-d?) delim=${w#-d} ;;
		--delimiter=?) delim=${w#--delimiter=} ;;
		--) [[ $tool != pfilter && $tool != preduce && $tool != ptakesort ]] && break ;;
		esac
		if [[ $prev == -d || $prev == --delimiter ]]; then
			[[ $w == '\t' ]] && delim=$'\t' || delim=$w
		fi
		if ((i != _pflow_cw)) && [[ -z $file && -f $w && -r $w ]]; then
			if ! _pflow_takes_arg "$tool" "$prev" ||
			    [[ $prev == -a || $prev == --arg-file ]]; then
				((skip-- > 0)) || file=$w
			fi
		fi
		prev=$w
	done
	[[ -n $file && $fmt != lines && $noheader == 0 ]] || return 0
	[[ $fmt == tsv ]] && delim=$'\t'
	local header
	IFS= read -r header < "$file" || [[ -n $header ]] || return 0
	header=${header#$'\xef\xbb\xbf'}
	header=${header%$'\r'}
	if [[ $fmt == tsv || $header != *\"* ]]; then
		local -a names
		IFS=$delim read -ra names <<<"$header"
		printf '%s\n' "${names[@]}"
		return 0
	fi
	# CSV with quotes: "" is a quote, the delimiter inside quotes is data
	local f= c q=0 j
	for ((j = 0; j < ${#header}; j++)); do
		c=${header:j:1}
		if ((q)); then
			if [[ $c == \" && ${header:j+1:1} == \" ]]; then
				f+=\"; j=$((j + 1))
			elif [[ $c == \" ]]; then
				q=0
			else
				f+=$c
			fi
		elif [[ $c == \" ]]; then
			q=1
		elif [[ $c == "$delim" ]]; then
			printf '%s\n' "$f"; f=
		else
			f+=$c
		fi
	done
	printf '%s\n' "$f"
}

# _pflow_reply PREFIX CUR WORD...: COMPREPLY gets PREFIX.WORD for each WORD
# that PREFIX.WORD starts with CUR.
_pflow_reply() {
	local prefix=$1 cur=$2 w
	shift 2
	for w in "$@"; do
		[[ $prefix$w == "$cur"* ]] && COMPREPLY+=("$prefix$w")
	done
	return 0
}

# _pflow_field_list CUR SUFFIXES: completes the last item of a comma list
# of fields; with SUFFIXES (ptakesort), an item with a ':' gets them.
# pjoin's items are STREAMKEY=TABLEKEY: the stream's fields before '='
# (TABLE's when the stream is stdin), TABLE's after it.
_pflow_field_list() {
	local cur=$1 suffixes=$2 head= item=$1 f s source=0 q=
	# a word quoted as typed ('Maj): the replies keep the quote
	if [[ $cur == [\'\"]* ]]; then
		q=${cur:0:1}
		cur=${cur:1}
		item=$cur
	fi
	if [[ $cur == *,* ]]; then
		head=${cur%,*},
		item=${cur##*,}
	fi
	if [[ $tool == pjoin && $item == *=* ]]; then
		head+=${item%%=*}=
	elif [[ $tool == pjoin ]] && [[ -n $(_pflow_fields 1) ]]; then
		source=1
	fi
	if [[ -n $suffixes && $item == *:* ]]; then
		local given=":${item#*:}:"
		for s in $suffixes; do
			case $s:$given in
			num:*:num:*|num:*:str:*|str:*:num:*|str:*:str:*) continue ;;
			desc:*:desc:*|desc:*:asc:*|asc:*:desc:*|asc:*:asc:*) continue ;;
			esac
			_pflow_reply "$head${item%:*}:" "$cur" "$s"
		done
		return 0
	fi
	local -a fields
	mapfile -t fields < <(_pflow_fields "$source")
	# a name holding ',' or ':' is written braced in a key list
	for f in "${!fields[@]}"; do
		[[ ${fields[f]} == *[,:]* ]] && fields[f]="{${fields[f]}}"
	done
	_pflow_reply "$head" "$cur" "${fields[@]}"
	[[ -n $q ]] || return 0
	for f in "${!COMPREPLY[@]}"; do
		COMPREPLY[f]=$q${COMPREPLY[f]}
	done
}

# _pflow_quote CUR: a reply the shell would split or expand (a space, a
# quote, ...) is inserted escaped, unless CUR is typed in quotes.
_pflow_quote() {
	local i
	[[ $1 == [\'\"]* ]] && return 0
	for i in "${!COMPREPLY[@]}"; do
		[[ ${COMPREPLY[i]} == *[[:space:]\'\"\;\&\|\<\>\(\)\$\`\\{}*?]* ]] &&
		    COMPREPLY[i]=$(printf '%q' "${COMPREPLY[i]}")
	done
	return 0
}

# _pflow_functions: the expression functions, as the tool's --help lists
# them (pfilter's and pmap's end with the expression summary).
_pflow_functions() {
	local tool=${_pflow_w[0]}
	command -v -- "$tool" >/dev/null 2>&1 || return 0
	"$tool" --help 2>/dev/null |
	    sed -n '/^  functions  /,/^  [^ ]/{/^  "/d;s/^  functions//;p;}' |
	    tr -s ' ' '\n' | sed '/^$/d'
}

# _pflow_expr CUR: the last word of an expression, quoted or not: a field
# (a name, {braced} when it is no identifier) or a function.
_pflow_expr() {
	local cur=$1 q= body word= pre f cand
	body=$cur
	if [[ $cur == [\'\"]* ]]; then
		q=${cur:0:1}
		body=${cur:1}
		# 'Maj' with the cursor before the closing quote
		[[ $body == *"$q" ]] && body=${body%"$q"}
	fi
	[[ $body =~ (\{[^}]*|[A-Za-z_][A-Za-z0-9_]*)$ ]] && word=${BASH_REMATCH[1]}
	pre=${body%"$word"}
	local -a fields
	mapfile -t fields < <(_pflow_fields)
	for f in "${fields[@]}"; do
		if [[ $word == \{* ]]; then
			[[ "{$f}" == "$word"* ]] && COMPREPLY+=("$q$pre{$f}")
		elif [[ $f == "$word"* ]]; then
			cand="{$f}"
			[[ $f =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] && cand=$f
			COMPREPLY+=("$q$pre$cand")
		fi
	done
	if [[ -n $word && $word != \{* ]] && ((${#fields[@]})); then
		for f in $(_pflow_functions); do
			[[ $f == "$word"* ]] && COMPREPLY+=("$q$pre$f(")
		done
	fi
	_pflow_quote "$cur"
}

# _pflow_agg CUR [FUNCS]: preduce's AGG operands (pscan's STEPs with
# FUNCS): count, FUNC:, FUNC:FIELD.
_pflow_agg() {
	local cur=$1 f
	if [[ $cur == *:*:* ]]; then
		return 0
	elif [[ $cur == *:* ]]; then
		local -a fields
		mapfile -t fields < <(_pflow_fields)
		_pflow_reply "${cur%%:*}:" "$cur" "${fields[@]}"
	else
		_pflow_reply "" "$cur" count
		[[ -n ${2-} ]] && _pflow_reply "" "$cur" rank
		for f in ${2:-$_pflow_agg_funcs}; do
			_pflow_reply "" "$cur" "$f:"
		done
	fi
}

# _pflow_trim CUR: bash replaces only the text after the last ':' or '='
# (COMP_WORDBREAKS); cut what comes before it from the replies.
_pflow_trim() {
	local cur=$1 i cut=
	local chars=${COMP_WORDBREAKS-$' \t\n"\'><=;|&(:'}
	[[ $chars == *:* && $cur == *:* ]] && cut=${cur%:*}:
	if [[ $chars == *=* && $cur == *=* ]]; then
		local eq=${cur%=*}=
		((${#eq} > ${#cut})) && cut=$eq
	fi
	[[ -n $cut ]] || return 0
	for i in "${!COMPREPLY[@]}"; do
		COMPREPLY[i]=${COMPREPLY[i]#"$cut"}
	done
}

# _pflow_tool_name NAME: the tool a command name runs (pf-pmap -> pmap).
_pflow_tool_name() {
	local t
	for t in pfilter pmap preduce ptakesort ppartition pjoin pscan; do
		[[ $1 == *"$t" ]] && { echo "$t"; return; }
	done
	echo "$1"
}

_pflow_front_tools='filter map reduce takesort partition join scan'
_pflow_front_commands='head tail headers'

# pflow TOOL ARG...: the tool names first (and help's argument), then the
# words as the tool itself would see them.
_pflow_front() {
	_pflow_cursor_word
	local cur=${COMP_WORDS[COMP_CWORD]}
	if ((COMP_CWORD == 1)); then
		_pflow_reply "" "$cur" $_pflow_front_tools view stats $_pflow_front_commands help --help --version
		return 0
	fi
	if ((COMP_CWORD == 2)) && [[ ${COMP_WORDS[1]} == help ]]; then
		_pflow_reply "" "$cur" $_pflow_front_tools $_pflow_front_commands view stats expressions
		return 0
	fi
	if [[ " $_pflow_front_commands " == *" ${COMP_WORDS[1]} "* ]]; then
		if [[ $cur == -* ]]; then
			_pflow_reply "" "$cur" -n $_pflow_common_opts
		elif [[ ${COMP_WORDS[COMP_CWORD - 1]} != -n ]]; then
			_pflow_files "$cur"
		fi
		return 0
	fi
	# pflow view takes pfilter's options and files, stats preduce's
	local front=${COMP_WORDS[1]/#view/filter} summary=()
	local _pflow_view=0	# seen by _pflow: view's operands are all files
	[[ ${COMP_WORDS[1]} == view ]] && _pflow_view=1
	[[ $front == stats ]] && front=reduce summary=(--summary)
	[[ " $_pflow_front_tools " == *" $front "* ]] || return 0
	local -a words=("p$front" "${summary[@]}" "${COMP_WORDS[@]:2}")
	local COMP_WORDS=("${words[@]}") COMP_CWORD=$((COMP_CWORD - 1 + ${#summary[@]}))
	_pflow
}

_pflow() {
	local _pflow_w _pflow_cw
	# from _pflow_front, its words are the tool's, already at the cursor
	[[ ${FUNCNAME[1]-} == _pflow_front ]] || _pflow_cursor_word
	_pflow_words
	local tool=${_pflow_w[0]##*/} cur=${_pflow_w[_pflow_cw]}
	tool=$(_pflow_tool_name "$tool")
	local prev= i w command=0 operands=0
	((_pflow_cw > 0)) && prev=${_pflow_w[_pflow_cw - 1]}
	COMPREPLY=()

	# after '--' (pmap, ppartition) the words belong to the command
	for ((i = 1; i < _pflow_cw; i++)); do
		w=${_pflow_w[i]}
		if [[ $w == -- ]]; then
			command=1
			break
		fi
		if [[ $w != -* ]] && ! _pflow_takes_arg "$tool" "${_pflow_w[i - 1]}"; then
			operands=$((operands + 1))
		fi
	done
	if ((command)); then
		if ((_pflow_cw == i + 1)); then
			mapfile -t COMPREPLY < <(compgen -c -- "$cur" | sort -u)
		else
			_pflow_files "$cur"
		fi
		return 0
	fi

	case $prev in
	-d|--delimiter|-D|--out-delimiter)
		_pflow_reply "" "$cur" , ';' '\t' '|'
		return 0 ;;
	-j|--jobs|--queue|--retries|--max-open|--batch|--seed)
		return 0 ;;
	--chunk)
		_pflow_reply "" "$cur" 64K 256K 1M 4M 16M
		return 0 ;;
	--flush|--timeout|--batch-timeout|--interval|--lateness)
		_pflow_reply "" "$cur" 50ms 1s 5s 1m
		_pflow_trim "$cur"
		return 0 ;;
	--rate)
		_pflow_reply "" "$cur" 10/1s 100/1m
		return 0 ;;
	--window)
		_pflow_reply "" "$cur" count: time: event:
		_pflow_trim "$cur"
		return 0 ;;
	--memory)
		_pflow_reply "" "$cur" 64M 256M 1G 4G
		return 0 ;;
	-T|--temporary-directory)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return 0 ;;
	--bad|--failed|--joblog|-a|--arg-file|-o|--output)
		_pflow_files "$cur"
		return 0 ;;
	-n|--count|--partitions)
		[[ $tool == ptakesort || $tool == ppartition ]] && return 0 ;;
	-k|--keys|--key|--time|--batch-key|--unique|-g|--group|--explode|--melt|--pivot)
		if [[ $tool == ptakesort && $prev != -g && $prev != --group ]]; then
			_pflow_field_list "$cur" 'num str desc asc'
		else
			_pflow_field_list "$cur"
		fi
		_pflow_trim "$cur"
		_pflow_quote "$cur"
		return 0 ;;
	esac

	if [[ $cur == -* ]]; then
		local opts="$(_pflow_tool_opts "$tool") $_pflow_common_opts"
		[[ $tool == pmap || $tool == ppartition ]] && opts+=' --'
		_pflow_reply "" "$cur" $opts
		_pflow_trim "$cur"
		return 0
	fi
	if [[ ($tool == preduce || $tool == pscan) && $cur != */* && $cur != .* &&
	    " ${_pflow_w[*]} " != *" --summary "* ]]; then
		[[ $tool == pscan ]] && _pflow_agg "$cur" "$_pflow_scan_steps" || _pflow_agg "$cur"
		if ((${#COMPREPLY[@]})); then
			_pflow_trim "$cur"
			[[ " ${COMPREPLY[*]}" == *": "* || ${COMPREPLY[*]} == *: ]] && compopt -o nospace 2>/dev/null
			return 0
		fi
	fi
	if [[ ($tool == pfilter || $tool == pmap) && $operands == 0 &&
	    ${_pflow_view-0} == 0 ]]; then
		# the expression: field and function names, also inside quotes
		_pflow_expr "$cur"
		((${#COMPREPLY[@]})) && return 0
	fi
	_pflow_files "$cur"
	return 0
}

complete -o default -F _pflow pfilter pmap preduce ptakesort ppartition pjoin pscan
complete -o default -F _pflow_front pflow
