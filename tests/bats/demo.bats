#!/usr/bin/env bats
# The README's demo (scripts/demo.sh) runs and shows what it says.

load helper

@test "scripts/demo.sh runs its pipelines with the built tools" {
	PFLOW_BUILD=$PFLOW_BUILD run sh "$PFLOW_SOURCE/scripts/demo.sh"
	assert_success
	assert_output "$(cat <<'OUT'

# Filter, reduce, top: the five origins with the most flights over 30 minutes late
$ pfilter 'delay > 30' data/flights.csv | preduce -k origin count mean:delay max:delay | ptakesort -n 5 -k count:desc
origin,count,delay_mean,delay_max
PHX,48,46.583333333333336,93
LAX,41,46,75
DEN,37,49.67567567567568,99
ATL,36,47.083333333333336,90
DFW,35,47.2,96

# New columns per record: the three days with the most flights over an hour late
$ pmap 'day = substr(date, 1, 10), late = delay > 60' data/flights.csv | pfilter late | preduce -k day count | ptakesort -n 3 -k count:desc,day
day,count
2001-01-21,4
2001-01-04,3
2001-01-11,3

# A command per record, two at a time, output in input order: the three highest airports
$ ptakesort -n 3 -k elevation_ft:desc data/airports.csv | pmap -j2 -- sh -c 'echo "$1 ($2) is at $3 ft"' sh {name} {iso_country} {elevation_ft}
St. Mary's Field, Inc (GB) is at 8993 ft
Field Creek (US) is at 8974 ft
Regional Airstrip (BR) is at 8943 ft

# A shuffle as a cluster runs it: four partitions by origin, each reduced by its own preduce --partial, then merged
$ ppartition -k origin -n 4 --header-once -a data/flights.csv -- preduce --partial -k origin count mean:delay | preduce --merge | ptakesort -n 3 -k count:desc,origin
origin,count,delay_mean
DFW,213,4.407582938388626
DEN,211,7.830917874396135
PHX,211,9.17156862745098
OUT
)"
}
