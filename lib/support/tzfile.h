/*
 * tzfile.h - time zones from the system's tz database (TZif files under
 * $TZDIR or /usr/share/zoneinfo), read by pflow itself: no setenv("TZ"),
 * no tzset(), so any thread may ask for any zone at any time.
 *
 * A zone is loaded on first use and kept for the life of the process
 * (immutable from then on, shared by every thread); its transitions come
 * from the file's 64-bit data, and times after the last one from the
 * POSIX TZ rule at its end ("CET-1CEST,M3.5.0,M10.5.0/3").
 */
#ifndef PF_TZFILE_H
#define PF_TZFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pf_tz;

/*
 * The zone called name[0..len) ("Europe/Paris", "UTC", "America/New_York"),
 * or NULL when the database has no such zone or the name is not one
 * (empty, absolute, with "..", or with bytes a zone name never has).
 * Thread-safe; the result lives until the process ends.
 */
const struct pf_tz *pf_tz_get(const char *name, size_t len);

/*
 * The offset from UTC, in seconds east, in zone z at epoch second t, and
 * (when abbr is not NULL) the zone's abbreviation then ("CEST", "EST").
 */
int32_t pf_tz_offset(const struct pf_tz *z, int64_t t, const char **abbr);

/*
 * The epoch second of the local time local (seconds since the epoch as
 * if the zone were UTC) in zone z: of two (a repeated hour) the earlier,
 * and a time in a gap moves forward by the gap, as Python's zoneinfo
 * with fold=0 does.
 */
int64_t pf_tz_from_local(const struct pf_tz *z, int64_t local);

#endif
