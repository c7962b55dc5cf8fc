#!/bin/sh
# Builds pflow (installing only what building and running need) and runs
# a few pipelines on the sample data in data/, to show the toolkit's range.
# With PFLOW_BUILD set (the tests), it only runs them, with those tools.
set -e
cd "$(dirname "$0")/.."
if [ -z "${PFLOW_BUILD:-}" ]; then
	scripts/install-deps.sh
	[ -d build ] || meson setup build >/dev/null
	ninja -C build >/dev/null
	PFLOW_BUILD=$PWD/build
fi
export PATH="$PFLOW_BUILD:$PATH"

# show WHAT PIPELINE: prints what it shows and the pipeline, then runs it.
show() {
	printf '\n# %s\n$ %s\n' "$1" "$2"
	sh -c "$2"
}

show 'Filter, reduce, top: the five origins with the most flights over 30 minutes late (ties by name)' \
    "pfilter 'delay > 30' data/flights.csv | preduce -k origin count mean:delay max:delay | ptakesort -n 5 -k count:desc,origin"
show 'New columns per record: the three days with the most flights over an hour late' \
    "pmap 'day = substr(date, 1, 10), late = delay > 60' data/flights.csv | pfilter late | preduce -k day count | ptakesort -n 3 -k count:desc,day"
show 'A command per record, two at a time, output in input order: the three highest navaids (radio beacons)' \
    "ptakesort -n 3 -k elevation_ft:desc data/navaids.csv | pmap -j2 -- sh -c 'echo \"\$1 (\$2) is at \$3 ft\"' sh {name} {iso_country} {elevation_ft}"
show 'A shuffle as a cluster runs it: four partitions by origin, each reduced by its own preduce --partial, then merged' \
    "ppartition -k origin -n 4 --header-once -a data/flights.csv -- preduce --partial -k origin count mean:delay | preduce --merge | ptakesort -n 3 -k count:desc,origin"
