/*
 * sink_registry.h — the registry of sink types (sink_registry.c), for the config code and
 * --probe: each type brings its keys, checks and probe (sink_impl.h says how to add one).
 */
#ifndef OCI_LOGFWD_SINK_REGISTRY_H
#define OCI_LOGFWD_SINK_REGISTRY_H

#include <stddef.h>

#include "conf.h"

struct buf;
struct conf_check;
struct key;

/* enum conf_sink_type of a `type =` value, or -1. */
int sink_type_lookup(const char *name);
/* "http", "datadog", ...; "?" when out of range. */
const char *sink_type_name(enum conf_sink_type t);
/*
 * Writes the names of the types that read key (NULL: every type) into out, joined by
 * ", " and last before the last one ("a, b or c"); NUL-terminated, truncated.
 */
void sink_type_list(char *out, size_t outsz, const char *key, const char *last);
/* 1 when type t reads the [sink] key `key` (beyond the generic ones): a generic key
 * it lists in ops.keys, or a key of its own table (ops.conf_keys). */
int sink_type_uses_key(enum conf_sink_type t, const char *key);
/* 1 for a tcp:// or tls:// URL (a byte stream: type syslog), else 0. */
int sink_url_is_stream(const char *url);
/* What sink_new() would refuse for cfg, reported through chk (conf.h). */
void sink_type_check(const struct conf_sink *cfg, struct conf_check *chk);
/* The key type t cannot work without ("url", "path"), or NULL. */
const char *sink_type_required(enum conf_sink_type t);
/* At load, after every key is read: the type's defaults that depend on other keys;
 * 0 or -1 (memory). */
int sink_type_defaults(struct conf_sink *cfg, struct conf_check *chk);

/*
 * The table of type t's private config keys (struct sink_ops.conf_keys, NULL-name
 * terminated), or NULL when the type has none.
 */
const struct key *sink_type_conf_keys(enum conf_sink_type t);
/* A new private config of type t with its defaults (conf_free frees it), or
 * NULL: *oom says whether memory ran out (0: the type has no private config). */
void *sink_type_conf_new(enum conf_sink_type t, int *oom);

/* --probe's verdict on a sink (the probe's own statuses). */
enum sink_probe_verdict {
	SINK_PROBE_OK,
	SINK_PROBE_WARN,
	SINK_PROBE_FAILED,
	SINK_PROBE_SKIPPED,
	SINK_PROBE_GENERIC, /* the type has nothing to add: the caller's reading applies */
};

/*
 * The --probe GET for cfg: URL appended to url, headers passed to add() (the type's,
 * its Authorization, then the `header` lines).  0; 1 when the type is not probed over
 * HTTP (then sink_probe_local); -1 when out of memory.
 */
int sink_probe_request(const struct conf_sink *cfg, struct buf *url,
    int (*add)(void *arg, const char *name_colon, const char *value), void *arg);
/* The check of a type not probed over HTTP; detail and fix appended. */
enum sink_probe_verdict sink_probe_local(const struct conf_sink *cfg, struct buf *detail,
    struct buf *fix);
/* The type's reading of an HTTP answer to the probe (see struct sink_ops). */
enum sink_probe_verdict sink_probe_answer(const struct conf_sink *cfg, long status,
    const char *body, size_t len, struct buf *detail, struct buf *fix);


#endif
