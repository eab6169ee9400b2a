/*
 * dryrun.h — read records from a file and print what a sink would receive
 * (oci-logfwd --dry-run FILE).
 */
#ifndef OCI_LOGFWD_DRYRUN_H
#define OCI_LOGFWD_DRYRUN_H

#include <stdio.h>

#include "conf.h"
#include "normalize.h"

/*
 * Reads path, which holds either a SearchLogs response body ({"results":[...]}, any
 * layout), a single record object, or NDJSON: one search result object, or one bare
 * logContent object, per line (blank lines ignored).  Writes one encoded event per line
 * (fmt, cloud.region = region, which may be NULL) to out.
 *
 * Returns the number of events written.  Records that cannot be normalized (not an
 * object, invalid JSON, ...) are skipped and counted: err->msg then says how many and
 * why the first one failed (empty when none were skipped).  Returns -1 when the file
 * cannot be read, is not a usable response, or writing fails; err says why.
 */
long dryrun_file(const char *path, enum conf_format fmt, const char *region, FILE *out,
    struct normalize_err *err);

#endif
