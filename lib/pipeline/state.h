/*
 * state.h — a source's checkpoint in state_dir: the cursor (every record before it has
 * been delivered or dead-lettered by every sink the source routes to) and the
 * fingerprints of recent records already delivered (so an overlap sweep after a restart
 * does not send them again).
 *
 * File <state_dir>/<source>.state: one JSON header line (human-readable: version, source,
 * cursor, entry count, checksum), then the entries as little-endian binary (fingerprint,
 * record time ms).  The checksum (FNV-1a 64) covers the header up to its own value and
 * the entries (version 2); version 1 files (checksum over the entries only) are still
 * read.  Written atomically: temporary file (created 0600, exclusively, never through a
 * symlink), fsync, rename, fsync of the folder.  A file that is corrupt or unreadable is
 * an error — never a silent restart from `start`.  Whether the cursor is plausible (not
 * later than now) is the caller's judgement (source.c).
 */
#ifndef OCI_LOGFWD_STATE_H
#define OCI_LOGFWD_STATE_H

#include <stdint.h>

#include "seen.h"

struct state_err {
	char msg[512];
};

/* The file name for a source (its name with anything but [A-Za-z0-9._-] replaced). */
int state_path(const char *dir, const char *source, char *out, size_t outlen);

/*
 * Loads the checkpoint.  Returns 1 and sets *cursor_ms and fills seen (may be NULL) when
 * a state file exists, 0 when there is none (first start), -1 with err when it exists but
 * cannot be read or is corrupt.
 */
int state_load(const char *dir, const char *source, int64_t *cursor_ms, struct seen *seen,
    struct state_err *err);

/* Writes the checkpoint atomically; 0 or -1 with err (the old file is then untouched). */
int state_save(const char *dir, const char *source, int64_t cursor_ms,
    const struct seen *seen, struct state_err *err);

#endif
