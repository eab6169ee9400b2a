/*
 * conf_key.h — one entry of a key table: a key's name, value type, range and where its
 * value is kept (an offset into the section's struct).  The generic configuration code
 * (lib/pipeline/conf*.c) parses, prints (-t) and compares (reload) every key through
 * such tables: its own for [daemon], [oci], [source] and the generic [sink] keys, and
 * the table a sink type brings for its private config struct (struct sink_ops.conf_keys,
 * sink_impl.h), so that a type's keys get the same FILE:LINE errors as every other key.
 */
#ifndef OCI_LOGFWD_CONF_KEY_H
#define OCI_LOGFWD_CONF_KEY_H

#include <stddef.h>
#include <stdint.h>

enum vtype {
	V_STR,      /* any string; empty = unset (NULL) */
	V_REQSTR,   /* string that must not be empty (query) */
	V_URL,      /* http:// or https:// */
	V_ABSPATH,  /* absolute path */
	V_PATH,     /* path */
	V_DUR,      /* duration -> int64 ms */
	V_SIZE,     /* size -> int64 bytes */
	V_BOOL,     /* -> int */
	V_INT,      /* -> int, range */
	V_I64,      /* -> int64, range */
	V_DOUBLE,   /* -> double, range */
	V_ENUM,     /* -> enum (int) */
	V_LIST,     /* comma list -> struct conf_list */
	V_HEADER,   /* repeatable "Name: value" -> struct conf_list */
	V_SECRET,   /* string; also KEY_file = PATH */
	V_TIME,     /* start: relative or RFC 3339 */
	V_LOGLEVEL, /* -> int (enum log_level) */
	V_HOSTPORT, /* "host:port"; empty = off (NULL) */
	V_SINKTYPE, /* a type of the sink registry -> enum conf_sink_type */
	V_TYPEKEYS, /* not a key: where -t prints the keys of the sink's type table */
};

/* A [sink] key only some types read (the types list it: sink_impl.h); 0 = every type. */
#define TY 1u

struct key {
	const char *name;
	enum vtype type;
	size_t off;
	int64_t min, max;            /* V_DUR V_SIZE V_INT V_I64 V_DOUBLE */
	const char *const *enums;    /* V_ENUM */
	size_t file_off;             /* V_SECRET: where the _file path is kept */
	/* Generic [sink] keys: TY when only some types read it (dump).  V_TYPEKEYS marks and
	 * the entries of a type's table: which mark -t prints the entry at (0, 1, 2). */
	unsigned types;
};

/*
 * An entry of a sink type's table: name, type and field of the type's struct T.  -t
 * prints a type's keys at the generic table's V_TYPEKEYS mark whose `types` equals the
 * entry's: CONF_TYPE_KEY at the main mark (after the credentials), CONF_TYPE_KEY_EARLY
 * at the early one (before `header`), CONF_TYPE_KEY_URL right after `url`.
 */
#define CONF_TYPE_KEY(n, t, T, f, lo, hi, e) { n, t, offsetof(T, f), lo, hi, e, 0, 0 }
#define CONF_TYPE_KEY_EARLY(n, t, T, f, lo, hi, e) \
	{ n, t, offsetof(T, f), lo, hi, e, 0, 1 }
#define CONF_TYPE_KEY_URL(n, t, T, f, lo, hi, e) \
	{ n, t, offsetof(T, f), lo, hi, e, 0, 2 }
#define CONF_TYPE_KEYS_END { NULL, V_STR, 0, 0, 0, NULL, 0, 0 }

#endif
