/*
 * conf_impl.h — internal: what the parts of the configuration code share.  Not for use
 * outside lib/pipeline/conf*.c.
 *
 *   conf.c        the reader: sections, keys, errors, validation, conf_load, conf_free
 *   conf_keys.c   the key tables (one per section kind), their defaults, and equality
 *                 of sections driven by them (reload)
 *   conf_value.c  value parsers and formatters (durations, sizes, times, names, URLs,
 *                 headers, lists)
 *   conf_dump.c   the effective configuration (-t) and the masking of secrets in what
 *                 is printed
 *
 * Adding a key: a field in its struct (conf.h), a line in its table (conf_keys.c) with
 * its value type and range, and its default in conf_*_defaults; parsing, FILE:LINE
 * errors, -t and reload equality follow from the table.  A key of one sink type goes in
 * that type's own table and struct (struct sink_ops.conf_keys, sink_impl.h): the
 * handler keeps [sink] keys it does not know with their line (struct rawkey) and
 * parse_type_keys reads them with the type's table once the section, and so `type`, is
 * read.  A generic [sink] key only some types read (url, header, the credentials) is
 * marked TY and listed in those types' `keys`; -t shows it for the others only when
 * set (conf_dump.c: sink_uses).  Types for another section kind
 * ([source]) work the same way: a `type` key, TY on the keys only some types read, and
 * a uses function for that kind in conf_dump.c.
 */
#ifndef OCI_LOGFWD_CONF_IMPL_H
#define OCI_LOGFWD_CONF_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "conf_key.h"

#define CONF_MAX_FILE (1024 * 1024)   /* a config file is small; refuse anything bigger */
#define CONF_MAX_LINE 8192            /* longest line (queries and templates are long) */
#define CONF_MAX_VALUE (64 * 1024)    /* longest value after ${VAR} expansion */
#define CONF_MAX_SECRET (64 * 1024)   /* longest secret file */
#define CONF_MAX_ERRTEXT (256 * 1024)
#define CONF_MAX_NAME 64              /* source / sink names end up in file names */
#define CONF_DEFAULT_STATE_DIR "/var/lib/oci-logfwd" /* the unit's StateDirectory= */

#define DAY_MS (24LL * 3600 * 1000)

/* Every table is shorter than this; keyline[] is indexed by table position. */
#define MAX_KEYS 48

extern const struct key conf_daemon_keys[];
extern const struct key conf_oci_keys[];
extern const struct key conf_source_keys[];
extern const struct key conf_sink_keys[];

/* Defaults of a new section (conf_keys.c). */
void conf_source_defaults(struct conf_source *s);
void conf_sink_defaults(struct conf_sink *k);

/* Frees what the key table keys holds in base (strings, secrets, lists); not base. */
void conf_keys_free(const struct key *keys, void *base);

/* Value checks and lists (conf_value.c); 0/-1 or 1/0 as in conf.c's use. */
int conf_parse_i64(const char *s, int64_t *out);
int conf_valid_name(const char *s);
int conf_valid_hostport(const char *s);
int conf_has_space_or_ctl(const char *s);
int conf_valid_url(const char *s);
int conf_valid_header(const char *s);
void conf_list_clear(struct conf_list *l);
int conf_list_push(struct conf_list *l, const char *s, size_t n);
/* 0, -1 (memory) or -2 (an empty item). */
int conf_list_parse(struct conf_list *l, const char *v);

#endif
