#!/usr/bin/env python3
"""Writes the small synthetic files in tests/data/ (deterministic): the
crafted flights and airports the tests use (the real sample data the
examples use is in data/).

flights.csv  - date,delay,distance,origin,destination (like the benchmark's
               flights data, 2,000 rows, some delays empty)
airports.csv - id,ident,type,name,elevation_ft,iso_country,municipality
               (OurAirports-like: quoted names with commas and quotes,
               empty fields, 600 rows)
Run: python3 tests/data/generate.py   (rewrites both files)
"""
import csv
import os
import random

here = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20261124)

codes = ["ATL", "BOS", "DEN", "DFW", "JFK", "LAX", "ORD", "SEA", "SFO", "PHX"]
with open(os.path.join(here, "flights.csv"), "w", newline="") as f:
    f.write("date,delay,distance,origin,destination\n")
    for i in range(2000):
        day = 1 + i * 31 // 2000
        hour, minute = rng.randrange(5, 23), rng.randrange(60)
        origin = rng.choice(codes)
        dest = rng.choice([c for c in codes if c != origin])
        delay = "" if rng.random() < 0.02 else str(int(rng.gauss(5, 30)))
        dist = rng.randrange(120, 2700)
        f.write(f"2001-01-{day:02d}T{hour:02d}:{minute:02d},{delay},{dist},{origin},{dest}\n")

countries = ["US", "US", "US", "CA", "BR", "AU", "DE", "FR", "GB", "JP", "MX", "RU", "NO", "ZA"]
types = ["small_airport"] * 6 + ["heliport"] * 2 + ["closed"] * 2 + \
        ["medium_airport", "large_airport", "seaplane_base"]
words = ["Lake", "Field", "Ranch", "County", "Municipal", "Regional", "Creek",
         "Valley", "St. Mary's", "Bay", "Hill", "North", "Airstrip"]
towns = ["Springfield", "Fairview", "Oslo", "São Paulo", "Zürich", "Kyōto",
         "Riverside", "Georgetown", "Franklin", "Clinton", ""]
with open(os.path.join(here, "airports.csv"), "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["id", "ident", "type", "name", "elevation_ft", "iso_country", "municipality"])
    for i in range(600):
        country = rng.choice(countries)
        name = " ".join(rng.sample(words, 2))
        if rng.random() < 0.1:
            name += ", " + rng.choice(["Inc", "Strip 2", "Old"])
        if rng.random() < 0.03:
            name = name + ' "The ' + rng.choice(words) + '"'
        elev = "" if rng.random() < 0.05 else str(rng.randrange(-50, 9000))
        w.writerow([3000 + i, f"{country}{i:04d}", rng.choice(types), name, elev,
                    country, rng.choice(towns)])
