/*
 * conf.h — the configuration file: one INI file parsed with libinih into a fresh
 * struct conf, fully validated before anything uses it.
 *
 * Sections: [daemon], [oci], [source NAME] (one or more), [sink NAME] (one or more).
 * Every key has a type (duration, size, bool, enum, int, string, list) and a default;
 * secrets (api_key, token, password) may be given as KEY_file = PATH; ${VAR} expands from
 * the environment.  All errors are collected (not just the first) into struct conf_err
 * as "FILE:LINE: [section NAME] key: message" lines.
 *
 * All durations are in milliseconds, all sizes in bytes, all strings heap-owned by the
 * conf (NULL when unset).  The struct is read-only after conf_load().
 */
#ifndef OCI_LOGFWD_CONF_H
#define OCI_LOGFWD_CONF_H

/* `header` lines per sink; the sink engine holds these plus its type's own few. */
#define CONF_MAX_HEADERS 32

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* security_token: the profile's security_token_file even when it also has `user`. */
enum conf_auth { CONF_AUTH_API_KEY, CONF_AUTH_INSTANCE_PRINCIPAL, CONF_AUTH_SECURITY_TOKEN };

enum conf_sink_type {
	CONF_SINK_HTTP,
	CONF_SINK_DATADOG,
	CONF_SINK_SPLUNK_HEC,
	CONF_SINK_ELASTICSEARCH,
	CONF_SINK_LOKI,
	CONF_SINK_FILE,
	CONF_SINK_STDOUT,
	CONF_SINK_OTLP,
	CONF_SINK_SYSLOG,
	CONF_SINK_KAFKA,
};

enum conf_format { CONF_FORMAT_ECS, CONF_FORMAT_OCSF, CONF_FORMAT_RAW };
enum conf_encoding { CONF_ENC_DEFAULT, CONF_ENC_JSON_ARRAY, CONF_ENC_NDJSON, CONF_ENC_JSON };
/* snappy, lz4, zstd: Kafka's codecs, for type kafka only (sink_registry.c checks). */
enum conf_compression { CONF_COMP_NONE, CONF_COMP_GZIP, CONF_COMP_SNAPPY, CONF_COMP_LZ4,
	CONF_COMP_ZSTD };
enum conf_when_full { CONF_FULL_BLOCK, CONF_FULL_DROP_NEWEST };

/* A list of strings (comma lists, repeatable keys). */
struct conf_list {
	char **items;
	size_t n;
};

struct conf_daemon {
	char *state_dir;            /* default /var/lib/oci-logfwd or $STATE_DIRECTORY */
	int log_level;              /* enum log_level; default info */
	char *metrics_listen;       /* "host:port"; NULL = off */
	int64_t stats_interval_ms;  /* 60s */
	int64_t shutdown_timeout_ms;/* 30s */
};

struct conf_oci {
	enum conf_auth auth;        /* api_key */
	char *config_file;          /* ~/.oci/config (~ expanded) */
	char *profile;              /* DEFAULT */
	char *region;               /* NULL = from the OCI config / instance metadata */
	char *endpoint;             /* full URL override of the Logging Search endpoint */
	char *imds_url;             /* instance metadata base URL override (tests) */
	char *auth_url;             /* federation endpoint override (tests) */
};

/* [source] type: search = OCI Logging SearchLogs (default); streaming = a Kafka topic
 * (OCI Streaming) read as a consumer group (source_kafka.h). */
enum conf_source_type { CONF_SOURCE_SEARCH, CONF_SOURCE_STREAMING };
enum conf_kafka_security { CONF_KSEC_SASL_SSL, CONF_KSEC_SSL, CONF_KSEC_SASL_PLAINTEXT,
	CONF_KSEC_PLAINTEXT };
enum conf_kafka_mechanism { CONF_KMECH_PLAIN, CONF_KMECH_SCRAM_SHA_256,
	CONF_KMECH_SCRAM_SHA_512 };

/* type = streaming only (ignored by search sources). */
struct conf_streaming {
	char *bootstrap_servers;    /* required: host:port list */
	struct conf_list topics;    /* required (key: topic, a comma list) */
	char *group_id;             /* required */
	enum conf_kafka_security security_protocol; /* sasl_ssl */
	enum conf_kafka_mechanism sasl_mechanism;   /* plain */
	char *sasl_username;        /* required with sasl_* */
	char *sasl_password;        /* secret; required with sasl_* */
	char *sasl_password_file;
	char *tls_ca_file;
	char *region;               /* the events' cloud.region; NULL = from bootstrap_servers
	                             * when it is OCI Streaming's (region_from_streaming) */
	int start_latest;           /* start = latest (default earliest) */
	int start_word;             /* start was given as earliest or latest */
};

struct conf_source {
	char *name;
	enum conf_source_type type; /* search */
	char *query;                /* required for type = search */
	int64_t interval_ms;        /* 30s */
	int64_t lag_ms;             /* 2m */
	int64_t overlap_ms;         /* 15m; 0 = off */
	int64_t sweep_interval_ms;  /* 5m */
	int64_t window_ms;          /* 10m */
	/* start: either relative (start_is_relative, start_ms < 0 = "-1h") or absolute epoch ms */
	int start_is_relative;
	int64_t start_ms;           /* -3600000 by default */
	int page_size;              /* 1..1000, 1000 */
	int64_t retention_ms;       /* 30d */
	int64_t max_record_bytes;   /* 1 MiB: a larger record is dead-lettered, not forwarded */
	int64_t search_timeout_ms;  /* 60s: one SearchLogs request; 6 in a row = window too big */
	int max_concurrent_searches; /* 3: windows searched at once while behind (1..16) */
	struct conf_streaming stream;
	int line;                   /* line of the section header, for messages */
	int sort_appended;          /* query had no sort operator: CONF_SORT_SUFFIX added */
};

/* Appended at load to a query without a `sort` operator (the effective query). */
#define CONF_SORT_SUFFIX " | sort by datetime asc"

struct conf_sink {
	char *name;
	enum conf_sink_type type;
	char *url;
	struct conf_list sources;   /* empty = all sources */
	enum conf_format format;    /* ecs */
	enum conf_encoding encoding;/* default depends on type */
	struct conf_list headers;   /* "Name: value", repeatable key `header`, at most
	                             * CONF_MAX_HEADERS (a sink adds its own to them) */
	char *api_key;              /* secret */
	char *token;                /* secret */
	char *username;
	char *password;             /* secret */
	/* Where a secret was read from when given as KEY_file (resolved path, for
	 * conf_dump); NULL when given inline or not at all. */
	char *api_key_file;
	char *token_file;
	char *password_file;
	enum conf_compression compression; /* none */
	int batch_max_events;       /* 500 */
	int64_t batch_max_bytes;    /* 1MiB */
	int64_t batch_timeout_ms;   /* 1s */
	double rate_limit;          /* requests/s; 0 = none */
	int rate_burst;             /* default max(1, ceil(rate_limit)) */
	int max_in_flight;          /* 2 */
	int64_t timeout_ms;         /* 30s */
	int64_t retry_initial_ms;   /* 500ms */
	int64_t retry_max_delay_ms; /* 60s */
	int64_t retry_max_time_ms;  /* 0 = forever */
	int64_t queue_max_events;   /* 100000 */
	int64_t queue_max_bytes;    /* 64MiB */
	enum conf_when_full when_full; /* block */
	char *dead_letter;          /* path; conf_load fills <state_dir>/dead-letter-<name>.ndjson */
	int tls_verify;             /* 1 */
	char *tls_ca_file;
	/* The type's own keys (struct sink_ops.conf_keys: its struct, its file); NULL
	 * when the type has none.  Allocated, parsed, compared and freed through the
	 * type's key table by the config code. */
	void *type_conf;
	int line;
};

struct conf {
	char *path;                 /* the file it was read from */
	struct conf_daemon daemon;
	struct conf_oci oci;
	struct conf_source *sources;
	size_t n_sources;
	struct conf_sink *sinks;
	size_t n_sinks;
};

/* Collected errors: one message a line, each naming file, line, section and key. */
struct conf_err {
	char *text;  /* NUL-terminated, "\n"-separated; NULL when there is no error */
	size_t len;
	int count;
};

void conf_err_cleanup(struct conf_err *err);

/*
 * Reads and validates path.  Returns a new conf (caller frees with conf_free), or NULL
 * with every problem found described in err (caller cleans it up).  Nothing is
 * half-loaded: a file with any error yields NULL.
 */
struct conf *conf_load(const char *path, struct conf_err *err);
void conf_free(struct conf *c);

/*
 * Writes the effective configuration, every default filled in, as a valid INI file;
 * secrets are written as ***.
 */
void conf_dump(const struct conf *c, FILE *out);

/*
 * Equality of sections, for a reload (what it may keep running): 1 when every key of the
 * section's table (and the name) is equal.  Driven by the key tables, so a new key is
 * compared without naming it here.
 */
int conf_oci_eq(const struct conf_oci *a, const struct conf_oci *b);
int conf_source_eq(const struct conf_source *a, const struct conf_source *b);
int conf_sink_eq(const struct conf_sink *a, const struct conf_sink *b);

/* Lookups; NULL when absent. */
const struct conf_source *conf_find_source(const struct conf *c, const char *name);
const struct conf_sink *conf_find_sink(const struct conf *c, const char *name);
/* 1 when sink routes events of source (its `sources` list is empty or names it). */
int conf_sink_wants(const struct conf_sink *k, const char *source_name);

/* Value parsers, exposed for the command line (--from/--to) and tests; 0 or -1. */
int conf_parse_duration(const char *s, int64_t *ms);   /* "500ms" "30s" "5m" "1h" "30d"; bare number = seconds */
int conf_parse_size(const char *s, int64_t *bytes);    /* "1MiB" "64KiB" "10MB" "512" */
int conf_parse_bool(const char *s, int *out);          /* true/false yes/no on/off 1/0 */
/* "-1h" (relative to now, *relative = 1, *ms = -3600000) or RFC 3339 (epoch ms). */
int conf_parse_time(const char *s, int *relative, int64_t *ms);
/* RFC 3339 "2025-03-14T09:00:00.123Z" / "+02:00" offsets -> epoch ms. */
int conf_parse_rfc3339(const char *s, int64_t *ms);

/*
 * Formatters, the inverse of the parsers (for conf_dump, logs and stats lines): write
 * into out (NUL-terminated, truncated to outsz) and return out.  Durations use the
 * largest exact unit ("90s" -> "90s", 60000 -> "1m"), sizes likewise ("1MiB"), times
 * are UTC with milliseconds when not zero.
 */
char *conf_format_duration(int64_t ms, char *out, size_t outsz);
char *conf_format_size(int64_t bytes, char *out, size_t outsz);
char *conf_format_rfc3339(int64_t ms, char *out, size_t outsz);

/*
 * Secrets in URLs, for every line the daemon prints (-t, logs, --probe): the password of
 * the userinfo and the values of credential-like query parameters (api_key=, token=,
 * ...sig..., ...pass...) become ***.  conf_mask_url masks one URL; conf_mask_text masks
 * every http:// or https:// URL inside a message.  Both write into out (NUL-terminated,
 * truncated to outsz) and return out.  conf_mask_url (below) returns a new string.
 */
char *conf_mask_url_buf(const char *url, char *out, size_t outsz);
char *conf_mask_text(const char *text, char *out, size_t outsz);

/*
 * What start-up needs from the system, checked by -t as by the daemon before it starts
 * (and on reload): state_dir and every dead_letter folder exist, are writable, and
 * state_dir belongs to the user the daemon runs as; the OCI config file, when it exists,
 * is a regular file.  0, or -1 with every problem in err (as conf_load).
 *
 * for_service: root checking a file for the systemd unit (`sudo oci-logfwd -t`): the
 * daemon will run as the unit's DynamicUser, which owns state_dir, and systemd creates
 * the default state_dir (StateDirectory=) at the first start; so neither its owner nor,
 * for the default path, its absence is an error then.
 */
int conf_check_system(const struct conf *c, int for_service, struct conf_err *err);

/*
 * A [sink] section being validated, handed to a sink type's check (sink_impl.h) so that
 * its errors read like every other: "FILE:LINE: [sink NAME] key: message".
 * conf_check_line: the line key was set on, else the section header's line;
 * conf_check_section_line: the header's line; conf_check_is_set: 1 when key appears in
 * the section (even empty); conf_check_oom: out of memory (the load fails).
 */
struct conf_check;
void conf_check_err(struct conf_check *chk, int line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int conf_check_line(const struct conf_check *chk, const char *key);
int conf_check_section_line(const struct conf_check *chk);
int conf_check_is_set(const struct conf_check *chk, const char *key);
void conf_check_oom(struct conf_check *chk);
/* Appends a copy of s to l (a type's defaults); 0 or -1 (memory). */
int conf_list_add(struct conf_list *l, const char *s);

/* "http", "datadog", ... / "ecs", "ocsf", "raw"; static strings, "?" if out of range. */
const char *conf_sink_type_name(enum conf_sink_type t);
const char *conf_format_name(enum conf_format f);

/*
 * Secrets in what is printed (the masking conf_dump does for -t, shared with the runtime
 * logs): conf_mask_url returns url (heap, caller frees; NULL when out of memory) with the
 * userinfo password and credential-like query values ("api_key", "token", "signature",
 * ...) replaced by "***"; conf_sensitive_name says whether a header or parameter name
 * names a credential.
 */
char *conf_mask_url(const char *url);
int conf_sensitive_name(const char *name, size_t len);

#endif
