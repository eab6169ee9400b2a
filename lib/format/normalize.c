/* normalize.c — see normalize.h (field names and rules); expected results: tests/data/golden/. */
#include "normalize.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yajl/yajl_parse.h>

#include "fingerprint.h"
#include "timeutil.h"

/* Objects whose keys we look at; everything else is N_NONE and skipped cheaply. */
enum node { N_NONE, N_ROOT, N_LC, N_ORACLE, N_DATA, N_IDENTITY, N_REQUEST, N_RESPONSE, N_COUNT };

/* One slot per captured field. */
enum field {
	F_DATETIME,
	F_LC,
	F_ID, F_TYPE, F_SOURCE, F_SUBJECT, F_TIME, F_ORACLE, F_DATA,
	F_O_COMPARTMENT, F_O_TENANT, F_O_LOGGROUP, F_O_LOG, F_O_INGESTED,
	F_O_VNIC, F_O_SUBNET, F_O_VCN,
	F_EVENTNAME, F_GROUPING, F_COMPNAME, F_RESNAME, F_RESID, F_AD, F_MESSAGE,
	F_IDENTITY, F_REQUEST, F_RESPONSE,
	F_ACTION, F_BYTESOUT, F_DSTADDR, F_DSTPORT, F_ENDTIME, F_FLOWID, F_PACKETS,
	F_PROTOCOL, F_PROTONAME, F_SRCADDR, F_SRCPORT, F_STARTTIME, F_STATUS, F_VERSION,
	F_PNAME, F_PID, F_IP, F_UA, F_AUTHTYPE,
	F_REQ_ACTION, F_REQ_ID, F_REQ_PATH,
	F_RESP_STATUS,
	F_COUNT
};

/* One bit per field in struct normalizer's seen and subtree masks. */
_Static_assert(F_COUNT <= 64, "fields must fit a uint64_t mask");

/* JSON type of a captured value; T_ABSENT = not seen. */
enum vtype { T_ABSENT, T_NULL, T_BOOL, T_NUMBER, T_STRING, T_MAP, T_ARRAY };

/* Byte ranges recorded while parsing. */
enum capture { CAP_NONE, CAP_LC, CAP_DATA, CAP_COUNT };

struct key {
	const char *name;
	unsigned char len;
	unsigned char field;
	unsigned char child;   /* node entered when the value is an object */
	unsigned char capture; /* enum capture */
};

#define K(s, f, c, cap) { s, sizeof(s) - 1, f, c, cap }

static const struct key keys_root[] = {
	K("logContent", F_LC, N_LC, CAP_LC),
	K("datetime", F_DATETIME, N_NONE, CAP_NONE),
};
static const struct key keys_lc[] = {
	K("data", F_DATA, N_DATA, CAP_DATA),
	K("id", F_ID, N_NONE, CAP_NONE),
	K("oracle", F_ORACLE, N_ORACLE, CAP_NONE),
	K("source", F_SOURCE, N_NONE, CAP_NONE),
	K("subject", F_SUBJECT, N_NONE, CAP_NONE),
	K("time", F_TIME, N_NONE, CAP_NONE),
	K("type", F_TYPE, N_NONE, CAP_NONE),
};
static const struct key keys_oracle[] = {
	K("compartmentid", F_O_COMPARTMENT, N_NONE, CAP_NONE),
	K("ingestedtime", F_O_INGESTED, N_NONE, CAP_NONE),
	K("loggroupid", F_O_LOGGROUP, N_NONE, CAP_NONE),
	K("logid", F_O_LOG, N_NONE, CAP_NONE),
	K("tenantid", F_O_TENANT, N_NONE, CAP_NONE),
	K("vcnOcid", F_O_VCN, N_NONE, CAP_NONE),
	K("vnicocid", F_O_VNIC, N_NONE, CAP_NONE),
	K("vnicsubnetocid", F_O_SUBNET, N_NONE, CAP_NONE),
};
static const struct key keys_data[] = {
	/* flow */
	K("action", F_ACTION, N_NONE, CAP_NONE),
	K("bytesOut", F_BYTESOUT, N_NONE, CAP_NONE),
	K("destinationAddress", F_DSTADDR, N_NONE, CAP_NONE),
	K("destinationPort", F_DSTPORT, N_NONE, CAP_NONE),
	K("endTime", F_ENDTIME, N_NONE, CAP_NONE),
	K("flowid", F_FLOWID, N_NONE, CAP_NONE),
	K("packets", F_PACKETS, N_NONE, CAP_NONE),
	K("protocol", F_PROTOCOL, N_NONE, CAP_NONE),
	K("protocolName", F_PROTONAME, N_NONE, CAP_NONE),
	K("sourceAddress", F_SRCADDR, N_NONE, CAP_NONE),
	K("sourcePort", F_SRCPORT, N_NONE, CAP_NONE),
	K("startTime", F_STARTTIME, N_NONE, CAP_NONE),
	K("status", F_STATUS, N_NONE, CAP_NONE),
	K("version", F_VERSION, N_NONE, CAP_NONE),
	/* audit */
	K("availabilityDomain", F_AD, N_NONE, CAP_NONE),
	K("compartmentName", F_COMPNAME, N_NONE, CAP_NONE),
	K("eventGroupingId", F_GROUPING, N_NONE, CAP_NONE),
	K("eventName", F_EVENTNAME, N_NONE, CAP_NONE),
	K("identity", F_IDENTITY, N_IDENTITY, CAP_NONE),
	K("message", F_MESSAGE, N_NONE, CAP_NONE),
	K("request", F_REQUEST, N_REQUEST, CAP_NONE),
	K("resourceId", F_RESID, N_NONE, CAP_NONE),
	K("resourceName", F_RESNAME, N_NONE, CAP_NONE),
	K("response", F_RESPONSE, N_RESPONSE, CAP_NONE),
};
static const struct key keys_identity[] = {
	K("authType", F_AUTHTYPE, N_NONE, CAP_NONE),
	K("ipAddress", F_IP, N_NONE, CAP_NONE),
	K("principalId", F_PID, N_NONE, CAP_NONE),
	K("principalName", F_PNAME, N_NONE, CAP_NONE),
	K("userAgent", F_UA, N_NONE, CAP_NONE),
};
static const struct key keys_request[] = {
	K("action", F_REQ_ACTION, N_NONE, CAP_NONE),
	K("id", F_REQ_ID, N_NONE, CAP_NONE),
	K("path", F_REQ_PATH, N_NONE, CAP_NONE),
};
static const struct key keys_response[] = {
	K("status", F_RESP_STATUS, N_NONE, CAP_NONE),
};

#undef K

struct keytab {
	const struct key *k;
	size_t n;
};

static const struct keytab keytabs[N_COUNT] = {
	[N_NONE] = { NULL, 0 },
	[N_ROOT] = { keys_root, sizeof(keys_root) / sizeof(keys_root[0]) },
	[N_LC] = { keys_lc, sizeof(keys_lc) / sizeof(keys_lc[0]) },
	[N_ORACLE] = { keys_oracle, sizeof(keys_oracle) / sizeof(keys_oracle[0]) },
	[N_DATA] = { keys_data, sizeof(keys_data) / sizeof(keys_data[0]) },
	[N_IDENTITY] = { keys_identity, sizeof(keys_identity) / sizeof(keys_identity[0]) },
	[N_REQUEST] = { keys_request, sizeof(keys_request) / sizeof(keys_request[0]) },
	[N_RESPONSE] = { keys_response, sizeof(keys_response) / sizeof(keys_response[0]) },
};

/* Every key of the tables above. */
#define KEY_COUNT (sizeof(keys_root) / sizeof(keys_root[0]) + sizeof(keys_lc) / sizeof(keys_lc[0]) + \
	sizeof(keys_oracle) / sizeof(keys_oracle[0]) + sizeof(keys_data) / sizeof(keys_data[0]) + \
	sizeof(keys_identity) / sizeof(keys_identity[0]) + \
	sizeof(keys_request) / sizeof(keys_request[0]) + \
	sizeof(keys_response) / sizeof(keys_response[0]))

/*
 * The key index's hash: first, middle and last byte and the length.  The multipliers
 * were searched for (a few lines of Python over the tables) so that no two keys of one
 * node share a hash: a lookup is one probe.  normalizer_new checks it (a new key that
 * collides makes it fail, and every test with it): pick other multipliers then.
 */
#define KEY_HASH_SIZE 64
#define KEY_HASH(k, len) (((unsigned)(k)[0] + (unsigned)(k)[(len) >> 1] * 13 + \
	(unsigned)(k)[(len) - 1] * 2 + (unsigned)(len) * 2) & (KEY_HASH_SIZE - 1))

struct slot {
	const char *p;
	size_t len;
	enum vtype type;
};

struct frame {
	unsigned char node;    /* enum node of this object (N_NONE for arrays) */
	unsigned char capture; /* range being captured by this container, ends with it */
};

/*
 * A mapped key as cb_map_key compares it: its bytes right-aligned in a KEY_WIN-byte
 * window (w) and which bytes of the window are the key's (m), so that a key lying in
 * the input text is compared with three loads of the window that ends where it ends,
 * without a branch on its length.
 */
#define KEY_WIN 24
struct kent {
	uint64_t w[KEY_WIN / 8], m[KEY_WIN / 8];
	const struct key *k;
	unsigned char len;     /* 0: the no-key entry (kent[0]), which nothing matches */
	unsigned char field;   /* k's, copied: one load less on the way */
	unsigned char capture;
};

/* Entries of the RFC 3339 seconds cache (time_ns). */
#define TCACHE_SIZE 4

/* Page mode: the events of one page, in chunks that never move while the page lives. */
#define EVCHUNK 64
struct evchunk {
	struct evchunk *next;
	size_t used;
	struct event ev[EVCHUNK];
};

struct normalizer {
	struct event ev;              /* single-record mode's event */
	struct event *out;            /* the event finish() fills: &ev, or a page chunk's */
	/* slots[f] holds a value only while seen has bit f (seen is reset per record, so
	 * the slots need no clearing) */
	struct slot slots[F_COUNT];
	struct frame stack[NORMALIZE_MAX_DEPTH + 1];
	int depth;
	/* The innermost open container's node (stack[depth - 1].node), and the mapped key
	 * just read in it until its value starts (NULL: none, or not mapped).  Kept here,
	 * not in the frame, so that the callbacks reach them without going through depth. */
	unsigned char node;
	const struct key *pending;
	yajl_handle h;
	yajl_handle cur;              /* the pass being read: h, or the page's (page mode) */
	struct evchunk *chunks, *chunk; /* page mode: every chunk, and the one being filled */
	const char *in;
	size_t in_len;
	/* Scratch for decoded strings: reserved to the input length before each parse, so
	 * pointers into it stay valid (a decoded string is never longer than its source). */
	char *arena;
	size_t arena_len, arena_cap;
	size_t key_end[CAP_COUNT];    /* offset just after the key that starts a capture */
	size_t cap_start[CAP_COUNT], cap_end[CAP_COUNT];
	int root_seen;
	int bare;                     /* the root object is the logContent itself */
	/* Duplicate keys: the last one wins (as jansson, Python and JavaScript read JSON).
	 * seen = fields whose key was read in this record; when a key comes again,
	 * whatever the earlier value's subtree captured is forgotten (subtree[child]). */
	uint64_t seen;
	uint64_t subtree[N_COUNT];
	int dup;                      /* a mapped key appeared twice in one object */
	const char *cancel_msg;       /* why a callback stopped the parse */
	/* Key index: for each node and KEY_HASH of a key, the one mapped key of that node
	 * with that hash (index into kent, 0 = none: kent[0] matches no key); built once by
	 * normalizer_new.  A linear scan over the ~25 data keys showed up at 7 % of the
	 * profile, and a bucket of candidates read through the frame stack at 6 %. */
	unsigned char kidx[N_COUNT][KEY_HASH_SIZE];
	struct kent kent[1 + KEY_COUNT];
	size_t win_end;               /* key_is() reads windows below this offset (or never: 0) */
	/* The seconds of the last few RFC 3339 "Z" times parsed (see time_ns): records come
	 * in time order, and a record's lc.time and ingestedtime share few seconds. */
	struct {
		uint64_t pfx[3];      /* "YYYY-MM-DDTHH:MM:SS" as three (overlapping) words */
		int64_t secs;
	} tcache[TCACHE_SIZE];
	unsigned tcache_valid, tcache_next;
};

/* ---- arena ---- */

static int
arena_prepare(struct normalizer *n, size_t len)
{
	size_t need = len + 64;
	char *p;

	n->arena_len = 0;
	if (need <= n->arena_cap)
		return 0;
	p = realloc(n->arena, need);
	if (p == NULL)
		return -1;
	n->arena = p;
	n->arena_cap = need;
	return 0;
}

/* Copies s into the arena, NUL-terminated; NULL when it does not fit (cannot happen
 * for strings decoded from the input, see arena_prepare). */
static const char *
arena_copy(struct normalizer *n, const char *s, size_t len)
{
	char *d;

	if (len + 1 > n->arena_cap - n->arena_len)
		return NULL;
	d = n->arena + n->arena_len;
	memcpy(d, s, len);
	d[len] = '\0';
	n->arena_len += len + 1;
	return d;
}

/* ---- parser callbacks ---- */

static size_t
consumed(const struct normalizer *n)
{
	return (size_t)yajl_get_bytes_consumed(n->cur);
}

/* The key whose value starts now, or NULL (in an array, or an uninteresting key).  A
 * key is pending only between itself and its value's first event, so one variable
 * serves every level: a value that is a container takes it when it opens. */
static inline const struct key *
take_pending(struct normalizer *n)
{
	const struct key *k = n->pending;

	n->pending = NULL;
	return k;
}

/* A scalar at the top level means the input is not an object. */
static int
not_object(struct normalizer *n)
{
	n->cancel_msg = "not a JSON object";
	return 0;
}

/* yajl's whitespace: JSON's four plus \v and \f, which its lexer also skips. */
static int
yajl_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Skips whitespace and the ':' after a key, to where its value starts. */
static size_t
value_start(const struct normalizer *n, size_t off)
{
	while (off < n->in_len && (yajl_ws(n->in[off]) || n->in[off] == ':'))
		off++;
	return off;
}

/* The value of mapped key k is the scalar (t, p, len). */
static void
scalar(struct normalizer *n, const struct key *k, enum vtype t, const char *p, size_t len)
{
	struct slot *s = &n->slots[k->field];

	s->type = t;
	s->p = p;
	s->len = len;
	if (p != NULL && (uintptr_t)p - (uintptr_t)n->in >= n->in_len) {
		/* Decoded by yajl into its own buffer, which the next escaped string
		 * overwrites: keep a copy. */
		s->p = arena_copy(n, p, len);
		if (s->p == NULL)
			s->type = T_ABSENT;
	}
	if (k->capture != CAP_NONE) {
		n->cap_start[k->capture] = value_start(n, n->key_end[k->capture]);
		n->cap_end[k->capture] = consumed(n);
	}
}

/*
 * The scalar callbacks: most values belong to no mapped key (pending is NULL), and
 * pending is always NULL at the top level, where a scalar means "not an object".
 */
#define SCALAR_CB(n, t, p, len) do { \
	const struct key *k_ = (n)->pending; \
	if (k_ == NULL) \
		return (n)->depth == 0 ? not_object(n) : 1; \
	(n)->pending = NULL; \
	scalar((n), k_, (t), (p), (len)); \
	return 1; \
} while (0)

static int
cb_null(void *ctx)
{
	struct normalizer *n = ctx;

	SCALAR_CB(n, T_NULL, NULL, 0);
}

static int
cb_bool(void *ctx, int v)
{
	struct normalizer *n = ctx;

	SCALAR_CB(n, T_BOOL, NULL, (size_t)v);
}

static int
cb_number(void *ctx, const char *s, size_t len)
{
	struct normalizer *n = ctx;

	SCALAR_CB(n, T_NUMBER, s, len);
}

static int
cb_string(void *ctx, const unsigned char *s, size_t len)
{
	struct normalizer *n = ctx;

	SCALAR_CB(n, T_STRING, (const char *)s, len);
}

static int
push(struct normalizer *n, int is_array)
{
	const struct key *k;
	struct frame *f;

	if (n->depth == 0) {
		if (is_array || n->root_seen)
			return not_object(n);
		n->root_seen = 1;
		f = &n->stack[n->depth++];
		if (n->bare) {
			f->node = N_LC;
			f->capture = CAP_LC;
			n->cap_start[CAP_LC] = consumed(n) - 1;
			n->slots[F_LC].type = T_MAP;
			n->seen |= UINT64_C(1) << F_LC;
		} else {
			f->node = N_ROOT;
			f->capture = CAP_NONE;
		}
		n->node = f->node;
		return 1;
	}
	if (n->depth >= NORMALIZE_MAX_DEPTH) {
		n->cancel_msg = "nesting too deep";
		return 0;
	}
	k = take_pending(n);
	f = &n->stack[n->depth++];
	f->node = N_NONE;
	f->capture = CAP_NONE;
	if (k != NULL) {
		n->slots[k->field].type = is_array ? T_ARRAY : T_MAP;
		n->slots[k->field].p = NULL;
		n->slots[k->field].len = 0;
		if (!is_array)
			f->node = k->child;
		if (k->capture != CAP_NONE) {
			f->capture = k->capture;
			n->cap_start[k->capture] = consumed(n) - 1;
		}
	}
	n->node = f->node;
	return 1;
}

static int
pop(struct normalizer *n)
{
	struct frame *f;

	if (n->depth == 0)
		return 0; /* cannot happen: yajl matches brackets */
	f = &n->stack[--n->depth];
	if (f->capture != CAP_NONE)
		n->cap_end[f->capture] = consumed(n);
	n->node = n->depth > 0 ? n->stack[n->depth - 1].node : N_NONE;
	return 1;
}

static int
cb_start_map(void *ctx)
{
	return push(ctx, 0);
}

static int
cb_end_map(void *ctx)
{
	return pop(ctx);
}

static int
cb_start_array(void *ctx)
{
	return push(ctx, 1);
}

static int
cb_end_array(void *ctx)
{
	return pop(ctx);
}

static inline uint64_t
load8(const void *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint32_t
load4(const void *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/*
 * Keys are short (2..18 bytes): compared a word at a time, the last word overlapping the
 * one before it, so that no load reads outside either string (a byte loop was half of
 * cb_map_key's instructions).  Used for keys that do not lie in the input text (yajl
 * decoded them: they had escapes) or lie too close to its start for key_is()'s window.
 */
static inline int
same_bytes(const char *a, const unsigned char *b, size_t n)
{
	size_t i;

	if (n >= 8) {
		for (i = 0; i + 8 < n; i += 8)
			if (load8(a + i) != load8(b + i))
				return 0;
		return load8(a + n - 8) == load8(b + n - 8);
	}
	if (n >= 4)
		return load4(a) == load4(b) && load4(a + n - 4) == load4(b + n - 4);
	for (i = 0; i < n; i++)
		if ((unsigned char)a[i] != b[i])
			return 0;
	return 1;
}

/*
 * Whether key[0..len) is e's key, len being e's length (1..KEY_WIN).  A key in the input
 * text with KEY_WIN bytes of the text ending where it ends (almost every one) is
 * compared without a branch: the window's three words, masked to the key's bytes,
 * against e's (the text's bytes before the key are ignored).  Other keys (yajl decoded
 * them: they had escapes; or they sit near the start) go through same_bytes().
 */
static inline int
key_is(const struct normalizer *n, const struct kent *e, const unsigned char *key,
    size_t len)
{
	uintptr_t off = (uintptr_t)key + len - KEY_WIN - (uintptr_t)n->in;

	if (off < n->win_end) {
		const unsigned char *w = (const unsigned char *)n->in + off;
		return (((load8(w) ^ e->w[0]) & e->m[0]) | ((load8(w + 8) ^ e->w[1]) & e->m[1]) |
		    ((load8(w + 16) ^ e->w[2]) & e->m[2])) == 0;
	}
	return same_bytes(e->k->name, key, len);
}

/* A mapped key seen again in the same object: the earlier value, and everything
 * captured below it, is dropped so that only the last one counts. */
static void
forget(struct normalizer *n, const struct key *k)
{
	uint64_t m = UINT64_C(1) << k->field;
	int f;

	n->dup = 1;
	if (k->child != N_NONE)
		m |= n->subtree[k->child];
	for (f = 0; f < F_COUNT; f++)
		if (m & (UINT64_C(1) << f))
			memset(&n->slots[f], 0, sizeof(n->slots[f]));
	n->seen &= ~(m & ~(UINT64_C(1) << k->field));
}

static int
cb_map_key(void *ctx, const unsigned char *key, size_t len)
{
	struct normalizer *n = ctx;
	const struct kent *e;
	uint64_t bit;

	n->pending = NULL;
	/* len - 1 < KEY_WIN: 1..KEY_WIN (no mapped key is longer, or empty).  In an
	 * unmapped object (N_NONE) every kidx entry is 0: kent[0] matches nothing. */
	if (len - 1 >= KEY_WIN)
		return 1;
	e = &n->kent[n->kidx[n->node][KEY_HASH(key, len)]];
	if (e->len != len || !key_is(n, e, key, len))
		return 1;
	bit = UINT64_C(1) << e->field;
	if (n->seen & bit)
		forget(n, e->k);
	n->seen |= bit;
	n->pending = e->k;
	if (e->capture != CAP_NONE)
		n->key_end[e->capture] = consumed(n);
	return 1;
}

static const yajl_callbacks callbacks = {
	cb_null, cb_bool, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_map_key, cb_end_map, cb_start_array, cb_end_array,
};

/* ---- value helpers ---- */

/* Decimal integer (optional '-', digits only) -> *v; -1 on anything else or overflow. */
static int
parse_int64(const char *p, size_t len, int64_t *v)
{
	size_t i = 0;
	int neg = 0;
	uint64_t acc = 0, lim;

	if (p == NULL || len == 0)
		return -1;
	if (p[0] == '-') {
		neg = 1;
		i = 1;
		if (len == 1)
			return -1;
	}
	if (len - i <= 18) {
		/* 18 digits cannot overflow: no division a digit */
		for (; i < len; i++) {
			unsigned d = (unsigned char)p[i] - '0';
			if (d > 9)
				return -1;
			acc = acc * 10 + d;
		}
		*v = neg ? (int64_t)(0 - acc) : (int64_t)acc;
		return 0;
	}
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < len; i++) {
		unsigned d = (unsigned char)p[i] - '0';
		if (d > 9)
			return -1;
		if (acc > (lim - d) / 10)
			return -1;
		acc = acc * 10 + d;
	}
	*v = neg ? (int64_t)(0 - acc) : (int64_t)acc;
	return 0;
}

static int
has_prefix(struct ev_str s, const char *pfx, size_t n)
{
	return s.p != NULL && s.len >= n && memcmp(s.p, pfx, n) == 0;
}

/* s equals lit[0..n) (upper-case ASCII) ignoring ASCII case.  EQ_NOCASE takes a
 * literal: no strlen a record. */
static int
eq_nocase(struct ev_str s, const char *lit, size_t n)
{
	size_t i;

	if (s.p == NULL || s.len != n)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s.p[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		if (c != lit[i])
			return 0;
	}
	return 1;
}

#define EQ_NOCASE(s, lit) eq_nocase((s), (lit), sizeof(lit) - 1)

/* p[19..len) is "Z" or "." and 1 to 9 digits and "Z" ('z' too): then *frac is the
 * fraction in ns, as timeutil's parser computes it. */
static int
z_suffix(const char *p, size_t len, int32_t *frac)
{
	int32_t f = 0, scale = 100000000;
	size_t i = 19;

	if (len < 20 || len > 30)
		return 0;
	if (p[i] == '.') {
		size_t d0 = ++i;
		while (i < len && i - d0 < 9 && (unsigned)((unsigned char)p[i] - '0') <= 9) {
			f += (p[i] - '0') * scale;
			scale /= 10;
			i++;
		}
		if (i == d0)
			return 0;
	}
	if (i + 1 != len || (p[i] != 'Z' && p[i] != 'z'))
		return 0;
	*frac = f;
	return 1;
}

/*
 * timeutil_parse_rfc3339_ns(), with the seconds of "Z" times remembered by their first
 * 19 bytes: a time whose date and time of day were parsed before (and found valid,
 * in range) only has its fraction read.  The same result either way: those 19 bytes
 * alone decide the seconds of a "Z" time and whether they are valid.
 */
static int
time_ns(struct normalizer *n, const char *p, size_t len, int64_t *ns)
{
	int64_t secs;
	int32_t nanos;
	uint64_t a, b, c;
	int z = z_suffix(p, len, &nanos);
	unsigned i;

	if (z) {
		a = load8(p);
		b = load8(p + 8);
		c = load8(p + 11);
		for (i = 0; i < TCACHE_SIZE; i++) {
			if ((n->tcache_valid >> i & 1) && n->tcache[i].pfx[0] == a &&
			    n->tcache[i].pfx[1] == b && n->tcache[i].pfx[2] == c) {
				*ns = n->tcache[i].secs * 1000000000 + nanos;
				return 0;
			}
		}
	}
	if (timeutil_parse_rfc3339(p, len, &secs, &nanos) != 0 ||
	    secs < -TIMEUTIL_NS_MAX_SECS || secs > TIMEUTIL_NS_MAX_SECS)
		return -1;
	*ns = secs * 1000000000 + nanos;
	if (z) {
		i = n->tcache_next++ % TCACHE_SIZE;
		n->tcache[i].pfx[0] = a;
		n->tcache[i].pfx[1] = b;
		n->tcache[i].pfx[2] = c;
		n->tcache[i].secs = secs;
		n->tcache_valid |= 1u << i;
	}
	return 0;
}

/* How strict a field is: a required field absent or null makes the event partial. */
enum need { OPT, REQ };

/* The type of field f's value: a slot is only valid while its key is seen. */
static inline enum vtype
stype(const struct normalizer *n, enum field f)
{
	return (n->seen >> f) & 1 ? n->slots[f].type : T_ABSENT;
}

static struct ev_str
get_str(struct normalizer *n, enum field f, enum need need)
{
	const struct slot *s = &n->slots[f];
	enum vtype t = stype(n, f);
	struct ev_str r = { NULL, 0 };

	if (t == T_STRING) {
		r.p = s->p;
		r.len = s->len;
	} else if (t != T_ABSENT && t != T_NULL) {
		n->out->partial = 1; /* mistyped */
	} else if (need == REQ) {
		n->out->partial = 1;
	}
	return r;
}

/* Integer field in [lo, hi]; 0 and *v, or -1 (absent, null, mistyped, out of range). */
static int
get_int(struct normalizer *n, enum field f, enum need need, int64_t lo, int64_t hi,
    int64_t *v)
{
	const struct slot *s = &n->slots[f];
	enum vtype t = stype(n, f);
	int64_t x;

	if (t == T_NUMBER) {
		if (parse_int64(s->p, s->len, &x) == 0 && x >= lo && x <= hi) {
			*v = x;
			return 0;
		}
		n->out->partial = 1;
		return -1;
	}
	if ((t != T_ABSENT && t != T_NULL) || need == REQ)
		n->out->partial = 1;
	return -1;
}

/* Container field (object) expected: partial when mistyped, or absent and required. */
static int
want_map(struct normalizer *n, enum field f, enum need need)
{
	enum vtype t = stype(n, f);

	if (t == T_MAP)
		return 1;
	if ((t != T_ABSENT && t != T_NULL) || need == REQ)
		n->out->partial = 1;
	return 0;
}

static enum event_verb
verb_of(struct ev_str name)
{
#define P(s, v) { s, sizeof(s) - 1, v }
	static const struct {
		const char *p;
		unsigned char n;
		enum event_verb v;
	} pfx[] = {
		P("Create", VERB_CREATE), P("Launch", VERB_CREATE), P("Add", VERB_CREATE),
		P("Attach", VERB_CREATE),
		P("Get", VERB_READ), P("List", VERB_READ), P("Search", VERB_READ),
		P("Summarize", VERB_READ), P("Head", VERB_READ),
		P("Delete", VERB_DELETE), P("Terminate", VERB_DELETE),
		P("Remove", VERB_DELETE), P("Detach", VERB_DELETE),
		P("Update", VERB_UPDATE), P("Change", VERB_UPDATE), P("Move", VERB_UPDATE),
		P("Instance", VERB_UPDATE), P("Patch", VERB_UPDATE), P("Put", VERB_UPDATE),
		P("Enable", VERB_UPDATE), P("Disable", VERB_UPDATE), P("Reset", VERB_UPDATE),
	};
#undef P
	size_t i;

	if (name.p == NULL || name.len == 0)
		return VERB_OTHER;
	/* the first byte first: one table entry in four is compared, not all */
	for (i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++)
		if (pfx[i].p[0] == name.p[0] && has_prefix(name, pfx[i].p, pfx[i].n))
			return pfx[i].v;
	return VERB_OTHER;
}

/* The third dot-separated part of lc.type, or absent. */
static struct ev_str
service_of(struct ev_str type)
{
	struct ev_str r = { NULL, 0 };
	size_t i, start = 0;
	int dots = 0;

	if (type.p == NULL)
		return r;
	for (i = 0; i < type.len; i++) {
		if (type.p[i] != '.')
			continue;
		dots++;
		if (dots == 2) {
			start = i + 1;
		} else if (dots == 3) {
			r.p = type.p + start;
			r.len = i - start;
			return r;
		}
	}
	if (dots == 2) { /* "a.b.c": the last part */
		r.p = type.p + start;
		r.len = type.len - start;
	}
	if (r.p != NULL && r.len == 0)
		r.p = NULL;
	return r;
}

#define FLOW_PREFIX "com.oraclecloud.vcn.flowlogs."

static void
fill_audit(struct normalizer *n)
{
	struct event *ev = n->out;
	const struct slot *st;
	enum vtype t;
	int64_t v;

	ev->event_name = get_str(n, F_EVENTNAME, REQ);
	ev->verb = verb_of(ev->event_name);
	ev->event_grouping_id = get_str(n, F_GROUPING, OPT);
	ev->compartment_name = get_str(n, F_COMPNAME, OPT);
	ev->resource_name = get_str(n, F_RESNAME, OPT);
	ev->resource_id = get_str(n, F_RESID, OPT);
	ev->availability_domain = get_str(n, F_AD, OPT);
	if (want_map(n, F_IDENTITY, REQ)) {
		ev->principal_name = get_str(n, F_PNAME, OPT);
		ev->principal_id = get_str(n, F_PID, OPT);
		ev->ip_address = get_str(n, F_IP, OPT);
		ev->user_agent = get_str(n, F_UA, OPT);
		ev->auth_type = get_str(n, F_AUTHTYPE, OPT);
	}
	if (want_map(n, F_REQUEST, OPT)) {
		ev->req_action = get_str(n, F_REQ_ACTION, OPT);
		ev->req_id = get_str(n, F_REQ_ID, OPT);
		ev->req_path = get_str(n, F_REQ_PATH, OPT);
	}
	if (!want_map(n, F_RESPONSE, REQ))
		return;
	/* response.status: documented as a string ("200"); numbers accepted too. */
	st = &n->slots[F_RESP_STATUS];
	t = stype(n, F_RESP_STATUS);
	if (t == T_STRING || t == T_NUMBER) {
		ev->status_text.p = st->p;
		ev->status_text.len = st->len;
		if (parse_int64(st->p, st->len, &v) == 0 && v >= 0 && v <= 99999) {
			ev->http_status = (int)v;
			ev->has |= EV_HAS_STATUS;
		} else {
			ev->partial = 1;
		}
	} else {
		ev->partial = 1; /* absent, null or mistyped */
	}
}

static void
fill_flow(struct normalizer *n)
{
	struct event *ev = n->out;
	const struct slot *ver;
	enum vtype t;
	int64_t v;
	int traffic;
	/* Epoch seconds bounded so that they convert to int64 ns. */
	const int64_t tmin = -TIMEUTIL_NS_MAX_SECS, tmax = TIMEUTIL_NS_MAX_SECS;

	ev->status_s = get_str(n, F_STATUS, REQ);
	if (ev->status_s.p == NULL)
		ev->flow_status = FLOW_STATUS_ABSENT;
	else if (EQ_NOCASE(ev->status_s, "OK"))
		ev->flow_status = FLOW_STATUS_OK;
	else if (EQ_NOCASE(ev->status_s, "NODATA"))
		ev->flow_status = FLOW_STATUS_NODATA;
	else if (EQ_NOCASE(ev->status_s, "SKIPDATA"))
		ev->flow_status = FLOW_STATUS_SKIPDATA;
	else
		ev->flow_status = FLOW_STATUS_OTHER;
	traffic = ev->flow_status == FLOW_STATUS_OK || ev->flow_status == FLOW_STATUS_ABSENT;

	if (get_int(n, F_STARTTIME, REQ, tmin, tmax, &v) == 0) {
		ev->start_s = v;
		ev->has |= EV_HAS_START;
	}
	if (get_int(n, F_ENDTIME, REQ, tmin, tmax, &v) == 0) {
		ev->end_s = v;
		ev->has |= EV_HAS_END;
	}
	ver = &n->slots[F_VERSION];
	t = stype(n, F_VERSION);
	if (t == T_STRING || t == T_NUMBER) {
		ev->version.p = ver->p;
		ev->version.len = ver->len;
	} else if (t != T_ABSENT && t != T_NULL) {
		ev->partial = 1;
	}

	/* Traffic fields: required on OK records, null on NODATA/SKIPDATA. */
	ev->action_s = get_str(n, F_ACTION, traffic ? REQ : OPT);
	if (ev->action_s.p == NULL)
		ev->flow_action = FLOW_ACTION_ABSENT;
	else if (EQ_NOCASE(ev->action_s, "ACCEPT"))
		ev->flow_action = FLOW_ACTION_ACCEPT;
	else if (EQ_NOCASE(ev->action_s, "REJECT"))
		ev->flow_action = FLOW_ACTION_REJECT;
	else
		ev->flow_action = FLOW_ACTION_OTHER;
	ev->src_addr = get_str(n, F_SRCADDR, traffic ? REQ : OPT);
	ev->dst_addr = get_str(n, F_DSTADDR, traffic ? REQ : OPT);
	ev->protocol_name = get_str(n, F_PROTONAME, OPT);
	ev->flow_id = get_str(n, F_FLOWID, OPT);
	/* Ports may be null for port-less protocols (ICMP): optional. */
	if (get_int(n, F_SRCPORT, OPT, 0, 65535, &v) == 0) {
		ev->src_port = (int)v;
		ev->has |= EV_HAS_SRC_PORT;
	}
	if (get_int(n, F_DSTPORT, OPT, 0, 65535, &v) == 0) {
		ev->dst_port = (int)v;
		ev->has |= EV_HAS_DST_PORT;
	}
	if (get_int(n, F_PROTOCOL, traffic ? REQ : OPT, 0, 255, &v) == 0) {
		ev->protocol = (int)v;
		ev->has |= EV_HAS_PROTOCOL;
	}
	if (get_int(n, F_BYTESOUT, OPT, 0, INT64_MAX, &v) == 0) {
		ev->bytes_out = v;
		ev->has |= EV_HAS_BYTES;
	}
	if (get_int(n, F_PACKETS, OPT, 0, INT64_MAX, &v) == 0) {
		ev->packets = v;
		ev->has |= EV_HAS_PACKETS;
	}
}

/* Builds *ev from the slots after a successful parse (page mode: straight into the
 * page's chunk, no copy). */
static int
finish(struct normalizer *n, struct event *ev, struct normalize_err *err)
{
	enum vtype dt;
	int64_t ns, ms;
	/* Times as int64 ns: years 1677-2262 (timeutil_parse_rfc3339_ns checks the same bound). */
	const int64_t msmin = -TIMEUTIL_NS_MAX_SECS * 1000, msmax = TIMEUTIL_NS_MAX_SECS * 1000;

	if (stype(n, F_LC) != T_MAP) {
		snprintf(err->msg, sizeof(err->msg), "%s",
		    stype(n, F_LC) == T_ABSENT ? "no logContent in the result"
					       : "logContent is not an object");
		return -1;
	}
	memset(ev, 0, sizeof(*ev));
	n->out = ev;
	ev->raw = n->in + n->cap_start[CAP_LC];
	ev->raw_len = n->cap_end[CAP_LC] - n->cap_start[CAP_LC];
	ev->fingerprint = fingerprint_xxh64(ev->raw, ev->raw_len, 0);

	/* envelope */
	ev->id_s = get_str(n, F_ID, REQ);
	if (ev->id_s.p != NULL) {
		/* The pipeline wants a C string: strings decoded into the arena already
		 * are NUL-terminated; copy the others (ids are short). */
		if (ev->id_s.p >= n->arena && ev->id_s.p < n->arena + n->arena_cap)
			ev->id = ev->id_s.p;
		else
			ev->id = arena_copy(n, ev->id_s.p, ev->id_s.len);
		if (ev->id != NULL)
			ev->id_s.p = ev->id;
		else
			ev->id_s.p = NULL;
	}
	ev->type = get_str(n, F_TYPE, REQ);
	ev->service = service_of(ev->type);
	ev->source = get_str(n, F_SOURCE, OPT);
	ev->subject = get_str(n, F_SUBJECT, OPT);
	ev->time_s = get_str(n, F_TIME, OPT);
	if (ev->time_s.p != NULL) {
		if (time_ns(n, ev->time_s.p, ev->time_s.len, &ns) == 0) {
			ev->time_ns = ns;
			ev->has |= EV_HAS_TIME;
			ev->time_src = EV_TIME_RECORD;
		} else {
			ev->partial = 1; /* unparseable, or outside 1677..2262 (year 2999) */
		}
	}
	if (!(ev->has & EV_HAS_TIME)) {
		/* datetime (epoch ms) is the documented fallback; absent both, partial. */
		if (get_int(n, F_DATETIME, n->bare ? OPT : REQ, msmin, msmax, &ms) == 0) {
			ev->time_ns = ms * 1000000;
			ev->has |= EV_HAS_TIME;
			ev->time_src = EV_TIME_DATETIME;
		} else {
			ev->partial = 1;
		}
	}

	if (want_map(n, F_ORACLE, REQ)) {
		ev->tenant_id = get_str(n, F_O_TENANT, REQ);
		ev->compartment_id = get_str(n, F_O_COMPARTMENT, REQ);
		ev->log_group_id = get_str(n, F_O_LOGGROUP, REQ);
		ev->log_id = get_str(n, F_O_LOG, OPT);
		ev->vnic_id = get_str(n, F_O_VNIC, OPT);
		ev->subnet_id = get_str(n, F_O_SUBNET, OPT);
		ev->vcn_id = get_str(n, F_O_VCN, OPT);
		{
			struct ev_str it = get_str(n, F_O_INGESTED, REQ);
			if (it.p != NULL) {
				if (time_ns(n, it.p, it.len, &ns) == 0) {
					ev->ingested_ns = ns;
					ev->has |= EV_HAS_INGESTED;
				} else {
					ev->partial = 1;
				}
			}
		}
	}

	if (!(ev->has & EV_HAS_TIME)) {
		/* Never an event without a time: sinks would stamp it 1970 (Datadog and Loki
		 * drop such old entries) or the read time anyway.  Take the ingestion time,
		 * else the time we read the record; partial is already set, and lc.time as
		 * received still goes out (ECS oci.original_time, OCSF
		 * metadata.original_time, raw as is). */
		if (ev->has & EV_HAS_INGESTED) {
			ev->time_ns = ev->ingested_ns;
			ev->time_src = EV_TIME_INGESTED;
		} else {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ev->time_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
			ev->time_src = EV_TIME_READ;
		}
		ev->has |= EV_HAS_TIME;
	}
	if (n->dup)
		ev->partial = 1; /* the mapping took the last of two values */

	dt = stype(n, F_DATA);
	if (dt != T_ABSENT) {
		ev->data_json.p = n->in + n->cap_start[CAP_DATA];
		ev->data_json.len = n->cap_end[CAP_DATA] - n->cap_start[CAP_DATA];
	} else {
		ev->partial = 1;
	}

	/* kind */
	if (has_prefix(ev->type, FLOW_PREFIX, sizeof(FLOW_PREFIX) - 1))
		ev->kind = EVENT_FLOW;
	else if (has_prefix(ev->log_group_id, "_Audit", 6))
		ev->kind = EVENT_AUDIT;
	else if (dt == T_MAP && stype(n, F_EVENTNAME) == T_STRING &&
	    stype(n, F_IDENTITY) == T_MAP)
		ev->kind = EVENT_AUDIT;
	else
		ev->kind = EVENT_OTHER;

	if (ev->kind != EVENT_OTHER && dt != T_MAP && dt != T_ABSENT)
		ev->partial = 1;
	if (dt == T_MAP) {
		if (ev->kind == EVENT_AUDIT)
			fill_audit(n);
		else if (ev->kind == EVENT_FLOW)
			fill_flow(n);
		if (stype(n, F_MESSAGE) == T_STRING) {
			ev->message.p = n->slots[F_MESSAGE].p;
			ev->message.len = n->slots[F_MESSAGE].len;
		}
	}
	return 0;
}

/* ---- public ---- */

/* The fields captured anywhere below an object of this node. */
static uint64_t
subtree_mask(size_t node)
{
	uint64_t m = 0;
	size_t i;

	for (i = 0; i < keytabs[node].n; i++) {
		const struct key *k = &keytabs[node].k[i];
		m |= UINT64_C(1) << k->field;
		if (k->child != N_NONE)
			m |= subtree_mask(k->child);
	}
	return m;
}

/* The window of a key (struct kent): its bytes end at KEY_WIN. */
static void
kent_init(struct kent *e, const struct key *k)
{
	unsigned char w[KEY_WIN] = { 0 }, m[KEY_WIN] = { 0 };

	memcpy(w + KEY_WIN - k->len, k->name, k->len);
	memset(m + KEY_WIN - k->len, 0xff, k->len);
	memcpy(e->w, w, sizeof(w));
	memcpy(e->m, m, sizeof(m));
	e->k = k;
	e->len = k->len;
	e->field = k->field;
	e->capture = k->capture;
}

struct normalizer *
normalizer_new(void)
{
	struct normalizer *n = calloc(1, sizeof(*n));
	size_t node, i, ne = 0;

	if (n == NULL)
		return NULL;
	/* kent[0] (calloc'd): length 0, field 0, no capture, k NULL; never matches */
	for (node = 0; node < N_COUNT; node++) {
		for (i = 0; i < keytabs[node].n; i++) {
			const struct key *k = &keytabs[node].k[i];
			unsigned char *b = &n->kidx[node][KEY_HASH((const unsigned char *)k->name,
			    (size_t)k->len)];
			/* cannot happen with the tables above (see KEY_HASH) */
			if (*b != 0 || k->len == 0 || k->len > KEY_WIN || ne == KEY_COUNT) {
				free(n);
				return NULL;
			}
			kent_init(&n->kent[++ne], k);
			*b = (unsigned char)ne;
		}
	}
	for (node = 0; node < N_COUNT; node++)
		n->subtree[node] = subtree_mask(node);
	return n;
}

void
normalizer_free(struct normalizer *n)
{
	if (n == NULL)
		return;
	if (n->h != NULL)
		yajl_free(n->h);
	while (n->chunks != NULL) {
		struct evchunk *c = n->chunks;
		n->chunks = c->next;
		free(c);
	}
	free(n->arena);
	free(n);
}

static void
set_input(struct normalizer *n, const char *text, size_t len)
{
	n->in = text;
	n->in_len = len;
	n->win_end = len >= KEY_WIN ? len - KEY_WIN + 1 : 0;
}

/* Before a record: nothing per field (a slot counts only once its key is seen). */
static void
reset(struct normalizer *n, const char *json, size_t len, int bare)
{
	n->depth = 0;
	n->node = N_NONE;
	n->pending = NULL;
	set_input(n, json, len);
	n->root_seen = 0;
	n->bare = bare;
	n->cancel_msg = NULL;
	n->seen = 0;
	n->dup = 0;
}

static int
run(struct normalizer *n, const char *json, size_t len, int bare, const struct event **out,
    struct normalize_err *err)
{
	yajl_status st;

	err->msg[0] = '\0';
	if (json == NULL || len == 0) {
		snprintf(err->msg, sizeof(err->msg), "empty input");
		return -1;
	}
	if (arena_prepare(n, len) != 0) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	reset(n, json, len, bare);
	/* yajl 2 has no reset function, and a fresh handle costs ~90 ns (4 % of a record).
	 * With yajl_allow_multiple_values a handle that finished a value starts over on
	 * the next yajl_parse(); a second top-level value inside one input is refused by
	 * push()/not_object().  A handle that saw an error is freed (below). */
	if (n->h == NULL) {
		n->h = yajl_alloc(&callbacks, NULL, n);
		if (n->h == NULL) {
			snprintf(err->msg, sizeof(err->msg), "out of memory");
			return -1;
		}
		/* Invalid UTF-8 must not cost the record: the encoders repair it. */
		yajl_config(n->h, yajl_dont_validate_strings, 1);
		yajl_config(n->h, yajl_allow_multiple_values, 1);
	}
	n->cur = n->h;
	st = yajl_parse(n->h, (const unsigned char *)json, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(n->h);
	if (st != yajl_status_ok) {
		if (n->cancel_msg != NULL) {
			snprintf(err->msg, sizeof(err->msg), "%s", n->cancel_msg);
		} else {
			unsigned char *e = yajl_get_error(n->h, 0, NULL, 0);
			size_t el;
			snprintf(err->msg, sizeof(err->msg), "invalid JSON: %s",
			    e != NULL ? (const char *)e : "parse error");
			el = strlen(err->msg);
			while (el > 0 && (err->msg[el - 1] == '\n' || err->msg[el - 1] == ' '))
				err->msg[--el] = '\0';
			if (e != NULL)
				yajl_free_error(n->h, e);
		}
		/* The handle is in an error state: drop it. */
		yajl_free(n->h);
		n->h = NULL;
		return -1;
	}
	if (!n->root_seen) {
		snprintf(err->msg, sizeof(err->msg), "not a JSON object");
		return -1;
	}
	if (finish(n, &n->ev, err) != 0)
		return -1;
	*out = &n->ev;
	return 0;
}

int
normalize_record(struct normalizer *n, const char *json, size_t len,
    const struct event **out, struct normalize_err *err)
{
	return run(n, json, len, 0, out, err);
}

int
normalize_logcontent(struct normalizer *n, const char *json, size_t len,
    const struct event **out, struct normalize_err *err)
{
	return run(n, json, len, 1, out, err);
}

int
normalize_any(struct normalizer *n, const char *json, size_t len,
    const struct event **out, struct normalize_err *err)
{
	if (run(n, json, len, 0, out, err) == 0)
		return 0;
	/* A valid object without a logContent object: read it as a bare logContent. */
	if (n->root_seen && n->cancel_msg == NULL && n->h != NULL &&
	    stype(n, F_LC) == T_ABSENT)
		return run(n, json, len, 1, out, err);
	return -1;
}

/* ---- page mode ---- */

const yajl_callbacks *
normalize_page_callbacks(void)
{
	return &callbacks;
}

int
normalize_page_begin(struct normalizer *n, yajl_handle h, const char *text, size_t len)
{
	struct evchunk *c;

	/* one arena for the whole page: every record's decoded strings fit in it (each
	 * is decoded from, and no longer than, its own bytes of text) */
	if (arena_prepare(n, len) != 0)
		return -1;
	for (c = n->chunks; c != NULL; c = c->next)
		c->used = 0;
	n->chunk = n->chunks;
	n->cur = h;
	set_input(n, text, len);
	return 0;
}

void
normalize_page_record_begin(struct normalizer *n)
{
	reset(n, n->in, n->in_len, 0);
}

int
normalize_page_record_end(struct normalizer *n, const struct event **out,
    struct normalize_err *err)
{
	struct evchunk *c = n->chunk;

	err->msg[0] = '\0';
	if (n->cancel_msg != NULL) {
		snprintf(err->msg, sizeof(err->msg), "%s", n->cancel_msg);
		return -1;
	}
	if (!n->root_seen) {
		snprintf(err->msg, sizeof(err->msg), "not a JSON object");
		return -1;
	}
	if (c == NULL || c->used == EVCHUNK) {
		struct evchunk *next = c != NULL ? c->next : n->chunks;

		if (next == NULL) {
			next = malloc(sizeof(*next));
			if (next == NULL) {
				snprintf(err->msg, sizeof(err->msg), "out of memory");
				return -1;
			}
			next->next = NULL;
			if (c != NULL)
				c->next = next;
			else
				n->chunks = next;
		}
		next->used = 0;
		n->chunk = c = next;
	}
	/* the event is built in its place (a failed one does not take it) */
	if (finish(n, &c->ev[c->used], err) != 0)
		return -1;
	*out = &c->ev[c->used++];
	return 0;
}
