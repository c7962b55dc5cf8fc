#!/bin/sh
# Builds pflow and runs the demo pipeline on the sample data in data/:
# the ten busiest origins among delayed flights, then the same airports'
# mean delay, each stage a parallel pflow tool.
set -e
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
export PATH="$PWD/build:$PATH"
set -x
pfilter 'delay > 30' data/flights.csv | preduce -k origin count mean:delay max:delay | ptakesort -n 5 -k count:desc
pmap 'day = substr(date, 1, 10), origin, late = delay > 60' data/flights.csv | pfilter 'late' | preduce -k day count | ptakesort -n 3 -k count:desc,day
