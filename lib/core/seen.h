/*
 * seen.h — a set of record fingerprints with their record times, for the overlap sweep:
 * "has this exact record (by content) been delivered before?".
 *
 * Open addressing with linear probing over 64-bit fingerprints (already well mixed
 * hashes), 16 bytes an entry.  Entries expire by record time (seen_expire), so the set
 * holds only what a sweep can still meet: records younger than lag + overlap.
 */
#ifndef OCI_LOGFWD_SEEN_H
#define OCI_LOGFWD_SEEN_H

#include <stddef.h>
#include <stdint.h>

struct seen;

/* Returns new (empty), or NULL when out of memory. */
struct seen *seen_new(void);
void seen_free(struct seen *s);

/* Adds fp with its record time; 1 when it was new, 0 when already present (its time is
 * kept), -1 when out of memory (the set is unchanged). */
int seen_add(struct seen *s, uint64_t fp, int64_t time_ms);
int seen_has(const struct seen *s, uint64_t fp);
/* Drops every entry whose record time is before before_ms. */
void seen_expire(struct seen *s, int64_t before_ms);
size_t seen_count(const struct seen *s);
/* Calls fn for each entry, in no particular order; stops early when fn returns non-zero. */
void seen_foreach(const struct seen *s, int (*fn)(void *arg, uint64_t fp, int64_t time_ms),
    void *arg);
/* Sets every record time later than max_ms to max_ms (a record stamped in year 2200 must
 * still expire). */
void seen_clamp(struct seen *s, int64_t max_ms);
/* Drops the entries with the oldest record times until at most max entries remain (ties
 * at the cut go too).  Bounds memory; 0, or -1 when out of memory (the set unchanged). */
int seen_trim(struct seen *s, size_t max);
/* Adds every entry of src to dst; 0 or -1 (out of memory). */
int seen_merge(struct seen *dst, const struct seen *src);

#endif
