/*
 * hash.h — small non-cryptographic hashes: FNV-1a 64 (byte by byte, stable across
 * versions: state-file checksums, cause keys) and a faster 8-bytes-a-step hash for
 * whole-event identity in the test simulators and benchmarks, and a 64-bit mixer.  Neither resists an
 * adversary choosing the input; nothing here protects a secret.
 */
#ifndef OCI_LOGFWD_HASH_H
#define OCI_LOGFWD_HASH_H

#include <stddef.h>
#include <stdint.h>

/* The FNV-1a 64 offset basis: the h to start from. */
#define HASH_FNV1A_INIT 0xcbf29ce484222325ULL

/* FNV-1a 64 of p[0..n) continued from h (HASH_FNV1A_INIT for a fresh hash), so a value
 * can be hashed in pieces. */
uint64_t hash_fnv1a(uint64_t h, const void *p, size_t n);

/* SplitMix64's finalizer: a 64-bit value mixed so that every input bit affects every
 * output bit (deterministic pseudo-random streams, ids from counters). */
uint64_t hash_mix64(uint64_t x);

/* A 64-bit hash of p[0..n), 8 bytes a step, never 0 (0 is a seen-set's empty slot). */
uint64_t hash_quick(const void *p, size_t n);

#endif
