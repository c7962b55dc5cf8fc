#!/usr/bin/env bats
# The README's demo (scripts/demo.sh) runs and shows what it says.

load helper

@test "scripts/demo.sh runs its pipelines with the built tools" {
	PFLOW_BUILD=$PFLOW_BUILD run sh "$PFLOW_SOURCE/scripts/demo.sh"
	assert_success
	assert_output "$(cat <<'OUT'

# Filter, reduce, top: the five origins with the most flights over 30 minutes late (ties by name)
$ pfilter 'delay > 30' data/flights.csv | preduce -k origin count mean:delay max:delay | ptakesort -n 5 -k count:desc,origin
origin,count,delay_mean,delay_max
ATL,22,71.0909090909091,193
ORD,22,72.81818181818181,166
DFW,20,76.05,292
BOS,15,78.93333333333334,150
LGA,13,75,226

# New columns per record: the three days with the most flights over an hour late
$ pmap 'day = substr(date, 1, 10), late = delay > 60' data/flights.csv | pfilter late | preduce -k day count | ptakesort -n 3 -k count:desc,day
day,count
2001-03-29,5
2001-01-11,4
2001-02-15,4

# A command per record, two at a time, output in input order: the three highest navaids (radio beacons)
$ ptakesort -n 3 -k elevation_ft:desc data/navaids.csv | pmap -j2 -- sh -c 'echo "$1 ($2) is at $3 ft"' sh {name} {iso_country} {elevation_ft}
Corvatsch (CH) is at 10987 ft
Cranbrook (CA) is at 7585 ft
Enderby (CA) is at 6697 ft

# A shuffle as a cluster runs it: four partitions by origin, each reduced by its own preduce --partial, then merged
$ ppartition -k origin -n 4 --header-once -a data/flights.csv -- preduce --partial -k origin count mean:delay | preduce --merge | ptakesort -n 3 -k count:desc,origin
origin,count,delay_mean
DFW,158,8.39873417721519
ORD,155,7.658064516129032
ATL,131,11.48091603053435
OUT
)"
}
