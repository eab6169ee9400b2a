/* format.c — see format.h.  The field contract is tests/data/golden/ (one expected output
 * per sample record and format). */
#include "format.h"
#include "timeutil.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- a small streaming JSON writer over struct buf ----
 *
 * Objects can be opened lazily (wobj): nothing is written until their first member, so
 * an object whose every source field is missing disappears instead of becoming {}.
 * The first error sticks in w->err; the caller rolls the buffer back. */

#define W_MAX_DEPTH 8

struct w {
	struct buf *b;
	/* Where the next byte goes in b, and the end of b's allocation: b->len is
	 * brought up to date only on the slow paths and at the end (w_finish), so that
	 * the fast paths test and move one pointer (~60 writes an event). */
	char *o, *end;
	int err;
	int depth;                       /* open levels above the top-level object */
	const char *key[W_MAX_DEPTH + 1];/* text opening each level: "\"key\":{", or "{" */
	unsigned char klen[W_MAX_DEPTH + 1];
	unsigned char open[W_MAX_DEPTH + 1];   /* '{' / '[' written */
	unsigned char nmemb[W_MAX_DEPTH + 1];  /* members written so far (0/1) */
	unsigned char is_arr[W_MAX_DEPTH + 1];
	int pending;                     /* some open level is not written yet */
};

/* b->len from the write position (before anything else touches b). */
static inline void
w_sync(struct w *w)
{
	w->b->len = (size_t)(w->o - w->b->data);
}

/* The write position from b (after something else appended to it). */
static inline void
w_load(struct w *w)
{
	w->o = w->b->data + w->b->len;
	w->end = w->b->data + w->b->cap;
}

static void
put_slow(struct w *w, const char *s, size_t n)
{
	if (w->err)
		return;
	w_sync(w);
	if (buf_append(w->b, s, n) != 0)
		w->err = 1;
	w_load(w);
}

/* d[0..n) = s[0..n) for 8 <= n <= 16: two overlapping words. */
static inline void
copy8_16(char *d, const char *s, size_t n)
{
	uint64_t a, b;

	memcpy(&a, s, 8);
	memcpy(&b, s + n - 8, 8);
	memcpy(d, &a, 8);
	memcpy(d + n - 8, &b, 8);
}

/*
 * An error sticks in w->err (the event is rolled back at the end); writes that still
 * fit after one are harmless, so the fast paths do not look at it.  Most writes are
 * keys and short values (8..16 bytes): copied inline, not by a call to memcpy (longer
 * ones inline too, 17..32 bytes in two SSE2 blocks, measured no better).
 */
static inline void
put(struct w *w, const char *s, size_t n)
{
	if (n < (size_t)(w->end - w->o)) { /* room for n bytes and the NUL */
		if (n - 8 <= 8)
			copy8_16(w->o, s, n);
		else
			memcpy(w->o, s, n);
		w->o += n;
		return;
	}
	put_slow(w, s, n);
}

#define PUTL(w, lit) put((w), (lit), sizeof(lit) - 1)

/* Not inlined: its &c would make every caller a stack-protected function (a canary
 * check on each of the writers that put a '"' or a ','). */
static __attribute__((noinline)) void
putc_slow(struct w *w, char c)
{
	put_slow(w, &c, 1);
}

static inline void
putc1(struct w *w, char c)
{
	if (w->end - w->o > 1) {
		*w->o++ = c;
		return;
	}
	putc_slow(w, c);
}

/* Bytes a JSON string can carry as they are (plain ASCII, not '"' or '\\'). */
static const unsigned char plain[256] = {
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
	R16(0), R16(0), /* 0x00-0x1f: control */
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20-0x2f: '"' */
	R16(1), R16(1),
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50-0x5f: '\\' */
	R16(1), R16(1),
	R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), /* high bytes */
};

#ifdef __SSE2__
/* Of the 16 bytes v, those a JSON string cannot carry as they are ('"', '\\', controls
 * and high bytes), as a movemask: 0 when all are plain.  Bytes 0x80..0xff are negative
 * as signed, so one signed "< 0x20" catches controls and high bytes. */
static inline int
unplain16(__m128i v)
{
	const __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))), _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));

	return _mm_movemask_epi8(bad);
}
#endif

/* 8 bytes are plain (no '"', '\\', control or high byte).  Each test is exact as a
 * boolean. */
static inline int
plain8(const unsigned char *p)
{
	uint64_t v, t;

	memcpy(&v, p, 8);
	t = ((v ^ 0x2222222222222222ULL) - 0x0101010101010101ULL) & ~(v ^ 0x2222222222222222ULL);
	t |= ((v ^ 0x5c5c5c5c5c5c5c5cULL) - 0x0101010101010101ULL) & ~(v ^ 0x5c5c5c5c5c5c5c5cULL);
	t |= (v - 0x2020202020202020ULL) & ~v;
	return ((t | v) & 0x8080808080808080ULL) == 0;
}

/* s[0..n) needs escaping, or the room ran out: buf's escaper (b->len synced). */
static void
put_esc_slow(struct w *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (n - i >= 8 && plain8(p + i))
		i += 8;
	while (i < n && plain[p[i]])
		i++;
	if (i == n) {
		put(w, s, n);
		return;
	}
	if (w->err)
		return;
	w_sync(w);
	if (buf_append_json_escaped(w->b, s, n) != 0)
		w->err = 1;
	w_load(w);
}

/*
 * The inside of a JSON string: plain ASCII is copied as it is checked, 16 bytes a step
 * (with SSE2, every x86-64), the last step overlapping the one before it; anything else
 * goes to buf's escaper.  (Byte loops here were ~5 % of the daemon's profile; then
 * checking first and copying after with memcpy was a second pass and a call for each
 * of the ~30 strings an event.)  Written bytes only count once the whole string is
 * found plain: a string that is not leaves the output as it was.
 */
static void
put_esc(struct w *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

#ifdef __SSE2__
	if (n >= 16 && n < (size_t)(w->end - w->o)) {
		char *o = w->o;
		size_t i = 0;
		__m128i v;

		for (; n - i > 16; i += 16) {
			v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			if (unplain16(v) != 0)
				goto slow;
			_mm_storeu_si128((__m128i *)(void *)(o + i), v);
		}
		v = _mm_loadu_si128((const __m128i *)(const void *)(p + n - 16));
		if (unplain16(v) != 0)
			goto slow;
		_mm_storeu_si128((__m128i *)(void *)(o + n - 16), v);
		w->o = o + n;
		return;
	}
#endif
	if (n >= 8 && n < 16 && n < (size_t)(w->end - w->o) && plain8(p) && plain8(p + n - 8)) {
		copy8_16(w->o, s, n);
		w->o += n;
		return;
	}
#ifdef __SSE2__
slow:
#endif
	put_esc_slow(w, s, n);
}

static void
put_str(struct w *w, const char *s, size_t n)
{
	putc1(w, '"');
	put_esc(w, s, n);
	putc1(w, '"');
}

/* ASCII upper case -> lower case; other bytes (UTF-8 included) unchanged.  Upper-case
 * ASCII never occurs inside a multi-byte sequence, so runs between them can be escaped
 * independently. */
static void
put_esc_lower(struct w *w, const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		if (s[i] >= 'A' && s[i] <= 'Z') {
			put_esc(w, s + run, i - run);
			putc1(w, (char)(s[i] + 32));
			run = i + 1;
		}
	}
	put_esc(w, s + run, n - run);
}

/* "00".."99": integers are written two digits a division (a flow event has ~8). */
static const char digits2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static void
put_i64(struct w *w, int64_t v)
{
	char tmp[24];
	char *e = tmp + sizeof(tmp), *p = e;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	while (u >= 100) {
		unsigned r = (unsigned)(u % 100);
		u /= 100;
		p -= 2;
		memcpy(p, digits2 + 2 * r, 2);
	}
	if (u >= 10) {
		p -= 2;
		memcpy(p, digits2 + 2 * u, 2);
	} else {
		*--p = (char)('0' + u);
	}
	if (v < 0)
		*--p = '-';
	put(w, p, (size_t)(e - p));
}

/* Bytes inside a string that need a look: '"', '\\' and high bytes. */
static const unsigned char str_special[256] = {
	R16(0), R16(0),
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	R16(0), R16(0),
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	R16(0), R16(0),
	R16(1), R16(1), R16(1), R16(1), R16(1), R16(1), R16(1), R16(1),
};

/* Outside strings: whitespace to drop (yajl also skips \v and \f, which JSON does not
 * allow: dropped too) and '"'. */
static const unsigned char out_special[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, /* \t \n \v \f \r */
	R16(0),
	1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* ' ' '"' */
	R16(0), R16(0), R16(0), R16(0), R16(0),
	R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0),
};
#undef R16

/*
 * Copies JSON text that yajl has validated (so: well-formed, no raw control characters
 * in strings), dropping whitespace outside strings and replacing invalid UTF-8 inside
 * them with U+FFFD.  Everything else is copied byte for byte in runs.
 */
static void
put_json_verbatim(struct w *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	for (;;) {
		/* outside a string */
		while (i < n && !out_special[p[i]])
			i++;
		if (i >= n)
			break;
		if (p[i] != '"') { /* whitespace */
			put(w, s + run, i - run);
			i++;
			run = i;
			continue;
		}
		i++; /* opening quote */
		for (;;) {
			while (i < n && !str_special[p[i]])
				i++;
			if (i >= n)
				break;
			if (p[i] == '"') {
				i++;
				break;
			}
			if (p[i] == '\\') {
				i += 2; /* the escaped character is ASCII */
				continue;
			}
			{
				size_t k = buf_utf8_len(p + i, n - i);
				if (k != 0) {
					i += k;
					continue;
				}
				put(w, s + run, i - run);
				PUTL(w, "\xEF\xBF\xBD");
				i++;
				run = i;
			}
		}
		if (i > n)
			i = n;
	}
	put(w, s + run, n - run);
}

/* Opens a member "key": inside the current level, materializing lazy parents first. */
static void
materialize(struct w *w)
{
	int d;

	for (d = 1; d <= w->depth; d++) {
		if (w->open[d])
			continue;
		if (w->nmemb[d - 1])
			putc1(w, ',');
		w->nmemb[d - 1] = 1;
		put(w, w->key[d], w->klen[d]);
		w->open[d] = 1;
	}
	w->pending = 0;
}

/* Starts a member of the current object: `,"key":`; qkey is the literal "\"key\":". */
static inline void
wkey(struct w *w, const char *qkey, size_t qlen)
{
	if (w->pending)
		materialize(w);
	if (w->nmemb[w->depth])
		putc1(w, ',');
	w->nmemb[w->depth] = 1;
	put(w, qkey, qlen);
}

/* Starts an array element. */
static void
welem(struct w *w)
{
	if (w->pending)
		materialize(w);
	if (w->nmemb[w->depth])
		putc1(w, ',');
	w->nmemb[w->depth] = 1;
}

#define KEY(w, k) wkey((w), "\"" k "\":", sizeof("\"" k "\":") - 1)

/* open = what opens the level when its first member comes: "\"key\":{", "\"key\":[",
 * or "{" for an array element. */
static void
wopen(struct w *w, const char *open, size_t olen, int is_arr)
{
	if (w->depth >= W_MAX_DEPTH) {
		w->err = 1; /* programming error; cannot happen with the fixed layouts */
		return;
	}
	w->depth++;
	w->key[w->depth] = open;
	w->klen[w->depth] = (unsigned char)olen;
	w->open[w->depth] = 0;
	w->nmemb[w->depth] = 0;
	w->is_arr[w->depth] = (unsigned char)is_arr;
	w->pending = 1;
}

#define OBJ(w, k) wopen((w), "\"" k "\":{", sizeof("\"" k "\":{") - 1, 0)
#define ARR(w, k) wopen((w), "\"" k "\":[", sizeof("\"" k "\":[") - 1, 1)
#define OBJ_ELEM(w) wopen((w), "{", 1, 0)

static void
wclose(struct w *w)
{
	if (w->depth == 0)
		return;
	if (w->open[w->depth])
		putc1(w, w->is_arr[w->depth] ? ']' : '}');
	w->depth--;
	/* levels below are either all written, or the closed one was never written and
	 * its parents may still be pending */
	w->pending = w->depth > 0 && !w->open[w->depth];
}

/* Typed members; each does nothing when its value is absent. */
/* qkey here is "\"key\":\"" (the value's opening quote included: one put less). */
static void
m_str(struct w *w, const char *qkey, size_t qlen, struct ev_str v)
{
	if (v.p == NULL)
		return;
	wkey(w, qkey, qlen);
	put_esc(w, v.p, v.len);
	putc1(w, '"');
}
#define M_STR(w, k, v) m_str((w), "\"" k "\":\"", sizeof("\"" k "\":\"") - 1, (v))

/* A member whose whole text is a literal: M_RAW(w, "\"kind\":\"event\""). */
static void
m_raw(struct w *w, const char *text, size_t len)
{
	wkey(w, text, len);
}
#define M_RAW(w, text) m_raw((w), (text), sizeof(text) - 1)
/* A string member with a constant value. */
#define M_LIT(w, k, lit) m_raw((w), "\"" k "\":\"" lit "\"", sizeof("\"" k "\":\"" lit "\"") - 1)

/* A string literal as a slice (no strlen a record). */
#define LIT(s) ((struct ev_str){ (s), sizeof(s) - 1 })

/* A string member whose value is a run-time string that needs no escaping. */
static void
m_cstr(struct w *w, const char *qkey, size_t qlen, struct ev_str v)
{
	wkey(w, qkey, qlen);
	put(w, v.p, v.len);
	putc1(w, '"');
}
#define M_CSTR(w, k, lit) m_cstr((w), "\"" k "\":\"", sizeof("\"" k "\":\"") - 1, (lit))

/*
 * Opens an object whose first members are a literal:
 * OBJ_LIT(w, "event", "\"kind\":\"event\"") writes "event":{"kind":"event" and leaves
 * the object open for more members.
 */
static void
obj_lit(struct w *w, const char *text, size_t len)
{
	wkey(w, text, len);
	if (w->depth >= W_MAX_DEPTH) {
		w->err = 1;
		return;
	}
	w->depth++;
	w->key[w->depth] = NULL;
	w->klen[w->depth] = 0;
	w->open[w->depth] = 1;
	w->nmemb[w->depth] = 1;
	w->is_arr[w->depth] = 0;
}
#define OBJ_LIT(w, k, members) obj_lit((w), "\"" k "\":{" members, sizeof("\"" k "\":{" members) - 1)

static void
m_int(struct w *w, const char *key, size_t klen, int64_t v)
{
	wkey(w, key, klen);
	put_i64(w, v);
}
#define M_INT(w, k, v) m_int((w), "\"" k "\":", sizeof("\"" k "\":") - 1, (v))

/* A JSON string holding an integer: "6". */
static void
m_int_str(struct w *w, const char *key, size_t klen, int64_t v)
{
	wkey(w, key, klen);
	putc1(w, '"');
	put_i64(w, v);
	putc1(w, '"');
}
#define M_INT_STR(w, k, v) m_int_str((w), "\"" k "\":", sizeof("\"" k "\":") - 1, (v))

/* Floor of ns / 1e6. */
static int64_t
ns_to_ms(int64_t ns)
{
	int64_t ms = ns / 1000000;

	if (ns % 1000000 < 0)
		ms--;
	return ms;
}

/*
 * timeutil_format_rfc3339(ms, TIMEUTIL_MS) through a cache of whole seconds, one slot
 * per second of a 64-second window: the records of a page are in time order and an
 * event's times (record, ingestion, flow start and end) fall on few distinct seconds,
 * within a minute of each other (a flow's end), so most calls only patch the
 * millisecond digits of a string made before.  (4 slots missed about once an event,
 * on the flow's end.)  Per thread: encoders may run on several.  0 when the time cannot
 * be written (out of range), else the length.
 */
#define TIME_CACHE 64
static size_t
format_time_ms(int64_t ms, char t[TIMEUTIL_RFC3339_SIZE])
{
	static _Thread_local struct {
		int64_t sec;
		int valid;
		char text[TIMEUTIL_RFC3339_SIZE];
	} cache[TIME_CACHE];
	int64_t sec = ms / 1000, milli = ms % 1000;
	unsigned slot;

	if (milli < 0) {
		milli += 1000;
		sec--;
	}
	slot = (unsigned)sec & (TIME_CACHE - 1);
	if (!cache[slot].valid || cache[slot].sec != sec) {
		if (timeutil_format_rfc3339(sec * 1000, TIMEUTIL_MS, cache[slot].text) !=
		    TIMEUTIL_RFC3339_SIZE - 1) {
			cache[slot].valid = 0;
			return timeutil_format_rfc3339(ms, TIMEUTIL_MS, t);
		}
		cache[slot].sec = sec;
		cache[slot].valid = 1;
	}
	memcpy(t, cache[slot].text, TIMEUTIL_RFC3339_SIZE);
	t[20] = (char)('0' + milli / 100);
	t[21] = (char)('0' + milli / 10 % 10);
	t[22] = (char)('0' + milli % 10);
	return TIMEUTIL_RFC3339_SIZE - 1;
}

static void
m_time(struct w *w, const char *key, size_t klen, int64_t ns)
{
	char t[TIMEUTIL_RFC3339_SIZE];

	if (format_time_ms(ns_to_ms(ns), t) == 0)
		return;
	wkey(w, key, klen);
	putc1(w, '"');
	/* With TIMEUTIL_MS the length is always this; a constant one is copied inline. */
	put(w, t, TIMEUTIL_RFC3339_SIZE - 1);
	putc1(w, '"');
}
#define M_TIME(w, k, ns) m_time((w), "\"" k "\":", sizeof("\"" k "\":") - 1, (ns))

static void
m_lower(struct w *w, const char *key, size_t klen, struct ev_str v)
{
	if (v.p == NULL)
		return;
	wkey(w, key, klen);
	putc1(w, '"');
	put_esc_lower(w, v.p, v.len);
	putc1(w, '"');
}
#define M_LOWER(w, k, v) m_lower((w), "\"" k "\":", sizeof("\"" k "\":") - 1, (v))

/* An array element string. */
static void
e_str(struct w *w, struct ev_str v)
{
	if (v.p == NULL)
		return;
	welem(w);
	put_str(w, v.p, v.len);
}

static void
e_lit(struct w *w, struct ev_str v)
{
	welem(w);
	putc1(w, '"');
	put(w, v.p, v.len);
	putc1(w, '"');
}

static struct ev_str
cstr(const char *s)
{
	struct ev_str r = { s, s != NULL ? strlen(s) : 0 };

	return r;
}

/* ---- summary ---- */

static int
present(struct ev_str s)
{
	return s.p != NULL && s.len > 0;
}

static void
s_put(struct w *w, const char *s, size_t n, int esc)
{
	if (esc)
		put_esc(w, s, n);
	else
		put(w, s, n);
}

static void
s_str(struct w *w, struct ev_str v, int esc)
{
	if (present(v))
		s_put(w, v.p, v.len, esc);
	else
		putc1(w, '-');
}

static void
s_endpoint(struct w *w, struct ev_str addr, int has_port, int port, int esc)
{
	int v6 = present(addr) && memchr(addr.p, ':', addr.len) != NULL;

	if (v6)
		putc1(w, '[');
	s_str(w, addr, esc);
	if (v6)
		putc1(w, ']');
	putc1(w, ':');
	if (has_port)
		put_i64(w, port);
	else
		putc1(w, '-');
}

static int
flow_traffic(const struct event *ev)
{
	return ev->flow_status == FLOW_STATUS_OK || ev->flow_status == FLOW_STATUS_ABSENT;
}

/* The summary text; esc = escape it for the inside of a JSON string. */
static void
summary(struct w *w, const struct event *ev, int esc)
{
	switch (ev->kind) {
	case EVENT_FLOW:
		if (flow_traffic(ev)) {
			s_str(w, ev->action_s, esc);
			putc1(w, ' ');
			if (present(ev->protocol_name))
				s_put(w, ev->protocol_name.p, ev->protocol_name.len, esc);
			else if (ev->has & EV_HAS_PROTOCOL)
				put_i64(w, ev->protocol);
			else
				putc1(w, '-');
			putc1(w, ' ');
			s_endpoint(w, ev->src_addr, ev->has & EV_HAS_SRC_PORT, ev->src_port, esc);
			PUTL(w, " -> ");
			s_endpoint(w, ev->dst_addr, ev->has & EV_HAS_DST_PORT, ev->dst_port, esc);
			PUTL(w, " (");
			if (ev->has & EV_HAS_PACKETS)
				put_i64(w, ev->packets);
			else
				putc1(w, '-');
			PUTL(w, " packets, ");
			if (ev->has & EV_HAS_BYTES)
				put_i64(w, ev->bytes_out);
			else
				putc1(w, '-');
			PUTL(w, " bytes)");
		} else {
			s_str(w, ev->status_s, esc);
			PUTL(w, " flow record for ");
			s_str(w, present(ev->vnic_id) ? ev->vnic_id : ev->source, esc);
		}
		break;
	case EVENT_AUDIT:
		s_str(w, ev->event_name, esc);
		PUTL(w, " on ");
		s_str(w, present(ev->resource_name) ? ev->resource_name : ev->resource_id, esc);
		PUTL(w, " by ");
		s_str(w, ev->principal_name, esc);
		PUTL(w, " -> ");
		if (ev->has & EV_HAS_STATUS)
			put_i64(w, ev->http_status);
		else
			s_str(w, ev->status_text, esc);
		break;
	default:
		s_str(w, ev->type, esc);
		PUTL(w, " from ");
		s_str(w, ev->source, esc);
		if (ev->message.p != NULL) {
			PUTL(w, " : ");
			s_put(w, ev->message.p, ev->message.len, esc);
		}
		break;
	}
}

static void
m_summary(struct w *w, const char *key, size_t klen, const struct event *ev)
{
	wkey(w, key, klen);
	putc1(w, '"');
	summary(w, ev, 1);
	putc1(w, '"');
}

/* ---- ECS ---- */

static struct ev_str
ecs_type_audit(enum event_verb v)
{
	switch (v) {
	case VERB_CREATE: return LIT("creation");
	case VERB_READ: return LIT("access");
	case VERB_UPDATE: return LIT("change");
	case VERB_DELETE: return LIT("deletion");
	default: return LIT("info");
	}
}

/* pfx[0..n): lower-case ASCII. */
static int
prefix_nocase(struct ev_str s, const char *pfx, size_t n)
{
	size_t i;

	if (s.p == NULL || s.len < n)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s.p[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c != pfx[i])
			return 0;
	}
	return 1;
}

static struct ev_str
outcome_of_status(const struct event *ev)
{
	if (!(ev->has & EV_HAS_STATUS))
		return LIT("unknown");
	if (ev->http_status >= 100 && ev->http_status <= 399)
		return LIT("success");
	if (ev->http_status >= 400)
		return LIT("failure");
	return LIT("unknown");
}

static int
same(struct ev_str a, struct ev_str b)
{
	return a.p != NULL && b.p != NULL && a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

static void
ecs_encode(struct w *w, const struct event *ev, const char *region)
{
	int traffic = ev->kind == EVENT_FLOW && flow_traffic(ev);

	if (ev->has & EV_HAS_TIME)
		M_TIME(w, "@timestamp", ev->time_ns);
	m_summary(w, "\"message\":", 10, ev);
	M_RAW(w, "\"ecs\":{\"version\":\"" FORMAT_ECS_VERSION "\"}");

	if (ev->kind == EVENT_AUDIT)
		OBJ_LIT(w, "event", "\"kind\":\"event\",\"module\":\"oci\",\"dataset\":\"oci.audit\"");
	else if (ev->kind == EVENT_FLOW)
		OBJ_LIT(w, "event", "\"kind\":\"event\",\"module\":\"oci\",\"dataset\":\"oci.vcn_flow\"");
	else
		OBJ_LIT(w, "event", "\"kind\":\"event\",\"module\":\"oci\",\"dataset\":\"oci.log\"");
	M_STR(w, "id", ev->id_s);
	M_STR(w, "code", ev->type);
	if (ev->has & EV_HAS_INGESTED)
		M_TIME(w, "ingested", ev->ingested_ns);
	if (ev->kind == EVENT_AUDIT) {
		if (prefix_nocase(ev->service, "identity", 8))
			M_RAW(w, "\"category\":[\"iam\"]");
		else
			M_RAW(w, "\"category\":[\"configuration\"]");
		ARR(w, "type");
		e_lit(w, ecs_type_audit(ev->verb));
		wclose(w);
		M_STR(w, "action", ev->event_name);
		M_STR(w, "provider", ev->service);
		M_CSTR(w, "outcome", outcome_of_status(ev));
	} else if (ev->kind == EVENT_FLOW) {
		if (!traffic) {
			M_RAW(w, "\"category\":[\"network\"],\"type\":[\"info\"],"
				 "\"outcome\":\"unknown\"");
			M_LOWER(w, "action", ev->status_s);
		} else if (ev->flow_action == FLOW_ACTION_ACCEPT) {
			M_RAW(w, "\"category\":[\"network\"],\"type\":[\"connection\",\"allowed\"],"
				 "\"action\":\"accept\",\"outcome\":\"success\"");
		} else if (ev->flow_action == FLOW_ACTION_REJECT) {
			M_RAW(w, "\"category\":[\"network\"],\"type\":[\"connection\",\"denied\"],"
				 "\"action\":\"reject\",\"outcome\":\"failure\"");
		} else {
			M_RAW(w, "\"category\":[\"network\"],\"type\":[\"connection\"],"
				 "\"outcome\":\"unknown\"");
			M_LOWER(w, "action", ev->action_s);
		}
		if (ev->has & EV_HAS_START)
			M_TIME(w, "start", ev->start_s * 1000000000);
		if (ev->has & EV_HAS_END)
			M_TIME(w, "end", ev->end_s * 1000000000);
	}
	wclose(w);

	OBJ_LIT(w, "cloud", "\"provider\":\"oci\"");
	OBJ(w, "account");
	M_STR(w, "id", ev->tenant_id);
	wclose(w);
	if (region != NULL)
		M_STR(w, "region", cstr(region));
	if (ev->kind == EVENT_AUDIT)
		M_STR(w, "availability_zone", ev->availability_domain);
	wclose(w);

	if (ev->kind == EVENT_AUDIT) {
		OBJ(w, "user");
		M_STR(w, "name", ev->principal_name);
		M_STR(w, "id", ev->principal_id);
		wclose(w);
		OBJ(w, "source");
		M_STR(w, "ip", ev->ip_address);
		wclose(w);
		OBJ(w, "user_agent");
		M_STR(w, "original", ev->user_agent);
		wclose(w);
		OBJ(w, "http");
		OBJ(w, "request");
		M_STR(w, "method", ev->req_action);
		M_STR(w, "id", ev->req_id);
		wclose(w);
		if (ev->has & EV_HAS_STATUS) {
			OBJ(w, "response");
			M_INT(w, "status_code", ev->http_status);
			wclose(w);
		}
		wclose(w);
		OBJ(w, "url");
		M_STR(w, "path", ev->req_path);
		wclose(w);
		OBJ(w, "related");
		ARR(w, "ip");
		e_str(w, ev->ip_address);
		wclose(w);
		ARR(w, "user");
		e_str(w, ev->principal_name);
		wclose(w);
		wclose(w);
	} else if (traffic) {
		OBJ(w, "source");
		M_STR(w, "ip", ev->src_addr);
		if (ev->has & EV_HAS_SRC_PORT)
			M_INT(w, "port", ev->src_port);
		wclose(w);
		OBJ(w, "destination");
		M_STR(w, "ip", ev->dst_addr);
		if (ev->has & EV_HAS_DST_PORT)
			M_INT(w, "port", ev->dst_port);
		wclose(w);
		OBJ(w, "network");
		M_LOWER(w, "transport", ev->protocol_name);
		if (ev->has & EV_HAS_PROTOCOL)
			M_INT_STR(w, "iana_number", ev->protocol);
		if (ev->has & EV_HAS_BYTES)
			M_INT(w, "bytes", ev->bytes_out);
		if (ev->has & EV_HAS_PACKETS)
			M_INT(w, "packets", ev->packets);
		wclose(w);
		OBJ(w, "related");
		ARR(w, "ip");
		e_str(w, ev->src_addr);
		if (!same(ev->src_addr, ev->dst_addr))
			e_str(w, ev->dst_addr);
		wclose(w);
		wclose(w);
	}

	OBJ(w, "oci");
	/* lc.time when @timestamp could not come from it (unparseable, year 2999) */
	if (ev->time_src != EV_TIME_RECORD)
		M_STR(w, "original_time", ev->time_s);
	M_STR(w, "compartment_id", ev->compartment_id);
	M_STR(w, "log_group_id", ev->log_group_id);
	M_STR(w, "log_id", ev->log_id);
	M_STR(w, "source", ev->source);
	M_STR(w, "subject", ev->subject);
	if (ev->kind == EVENT_AUDIT) {
		M_STR(w, "compartment_name", ev->compartment_name);
		M_STR(w, "resource_id", ev->resource_id);
		M_STR(w, "resource_name", ev->resource_name);
		OBJ(w, "audit");
		M_STR(w, "event_grouping_id", ev->event_grouping_id);
		M_STR(w, "auth_type", ev->auth_type);
		wclose(w);
	} else if (ev->kind == EVENT_FLOW) {
		OBJ(w, "vcn");
		M_STR(w, "flow_id", ev->flow_id);
		M_STR(w, "status", ev->status_s);
		M_STR(w, "version", ev->version);
		M_STR(w, "vnic_id", ev->vnic_id);
		M_STR(w, "subnet_id", ev->subnet_id);
		M_STR(w, "id", ev->vcn_id);
		wclose(w);
	} else if (ev->data_json.p != NULL) {
		KEY(w, "data");
		put_json_verbatim(w, ev->data_json.p, ev->data_json.len);
	}
	wclose(w);
}

/* ---- OCSF ---- */

static int
ocsf_activity(enum event_verb v)
{
	switch (v) {
	case VERB_CREATE: return 1;
	case VERB_READ: return 2;
	case VERB_UPDATE: return 3;
	case VERB_DELETE: return 4;
	default: return 99;
	}
}

static void
ocsf_common(struct w *w, const struct event *ev, struct ev_str product, const char *region)
{
	M_INT(w, "severity_id", 1);
	if (ev->has & EV_HAS_TIME)
		M_INT(w, "time", ns_to_ms(ev->time_ns));
	m_summary(w, "\"message\":", 10, ev);
	OBJ(w, "metadata");
	M_STR(w, "uid", ev->id_s);
	M_STR(w, "original_time", ev->time_s);
	OBJ_LIT(w, "product", "\"vendor_name\":\"Oracle\"");
	M_CSTR(w, "name", product);
	wclose(w);
	M_LIT(w, "version", FORMAT_OCSF_VERSION);
	wclose(w);
	OBJ_LIT(w, "cloud", "\"provider\":\"OCI\"");
	OBJ(w, "account");
	M_STR(w, "uid", ev->tenant_id);
	wclose(w);
	if (region != NULL)
		M_STR(w, "region", cstr(region));
	if (ev->kind == EVENT_AUDIT)
		M_STR(w, "zone", ev->availability_domain);
	wclose(w);
}

static void
ocsf_encode(struct w *w, const struct event *ev, const char *region)
{
	int act;

	switch (ev->kind) {
	case EVENT_AUDIT:
		act = ocsf_activity(ev->verb);
		M_INT(w, "class_uid", 6003);
		M_INT(w, "category_uid", 6);
		M_INT(w, "activity_id", act);
		M_INT(w, "type_uid", 600300 + act);
		ocsf_common(w, ev, LIT("OCI Audit"), region);
		M_INT(w, "status_id", !(ev->has & EV_HAS_STATUS) ? 0
		    : (ev->http_status >= 100 && ev->http_status <= 399) ? 1
		    : ev->http_status >= 400				   ? 2
									   : 0);
		if (ev->has & EV_HAS_STATUS)
			M_INT_STR(w, "status_code", ev->http_status);
		OBJ(w, "api");
		M_STR(w, "operation", ev->event_name);
		OBJ(w, "service");
		M_STR(w, "name", ev->service);
		wclose(w);
		OBJ(w, "request");
		M_STR(w, "uid", ev->req_id);
		wclose(w);
		if (ev->has & EV_HAS_STATUS) {
			OBJ(w, "response");
			M_INT(w, "code", ev->http_status);
			wclose(w);
		}
		wclose(w);
		OBJ(w, "actor");
		OBJ(w, "user");
		M_STR(w, "name", ev->principal_name);
		M_STR(w, "uid", ev->principal_id);
		M_STR(w, "type", ev->auth_type);
		wclose(w);
		wclose(w);
		OBJ(w, "src_endpoint");
		M_STR(w, "ip", ev->ip_address);
		wclose(w);
		OBJ(w, "http_request");
		M_STR(w, "http_method", ev->req_action);
		M_STR(w, "user_agent", ev->user_agent);
		OBJ(w, "url");
		M_STR(w, "path", ev->req_path);
		wclose(w);
		wclose(w);
		ARR(w, "resources");
		OBJ_ELEM(w);
		M_STR(w, "uid", ev->resource_id);
		M_STR(w, "name", ev->resource_name);
		wclose(w);
		wclose(w);
		break;
	case EVENT_FLOW:
		M_INT(w, "class_uid", 4001);
		M_INT(w, "category_uid", 4);
		M_INT(w, "activity_id", 6);
		M_INT(w, "type_uid", 400106);
		ocsf_common(w, ev, LIT("OCI VCN Flow Logs"), region);
		if (ev->has & EV_HAS_START)
			M_INT(w, "start_time", ev->start_s * 1000);
		if (ev->has & EV_HAS_END)
			M_INT(w, "end_time", ev->end_s * 1000);
		OBJ(w, "src_endpoint");
		M_STR(w, "ip", ev->src_addr);
		if (ev->has & EV_HAS_SRC_PORT)
			M_INT(w, "port", ev->src_port);
		M_STR(w, "interface_uid", ev->vnic_id);
		M_STR(w, "subnet_uid", ev->subnet_id);
		wclose(w);
		OBJ(w, "dst_endpoint");
		M_STR(w, "ip", ev->dst_addr);
		if (ev->has & EV_HAS_DST_PORT)
			M_INT(w, "port", ev->dst_port);
		wclose(w);
		OBJ(w, "connection_info");
		if (ev->has & EV_HAS_PROTOCOL)
			M_INT(w, "protocol_num", ev->protocol);
		M_LOWER(w, "protocol_name", ev->protocol_name);
		M_STR(w, "uid", ev->flow_id);
		wclose(w);
		OBJ(w, "traffic");
		if (ev->has & EV_HAS_BYTES)
			M_INT(w, "bytes_out", ev->bytes_out);
		if (ev->has & EV_HAS_PACKETS)
			M_INT(w, "packets", ev->packets);
		wclose(w);
		if (ev->flow_action != FLOW_ACTION_ABSENT) {
			act = ev->flow_action == FLOW_ACTION_ACCEPT ? 1
			    : ev->flow_action == FLOW_ACTION_REJECT ? 2
								    : 99;
			M_INT(w, "action_id", act);
			M_INT(w, "disposition_id", act);
		}
		/* status_id 1 (Success) when d.status is OK, else 99 (Other) with status =
		 * d.status (left out when d.status is) */
		if (ev->flow_status == FLOW_STATUS_OK) {
			M_INT(w, "status_id", 1);
		} else {
			M_INT(w, "status_id", 99);
			M_STR(w, "status", ev->status_s);
		}
		break;
	default:
		M_INT(w, "class_uid", 0);
		M_INT(w, "category_uid", 0);
		M_INT(w, "activity_id", 99);
		M_INT(w, "type_uid", 99);
		ocsf_common(w, ev, LIT("OCI Logging"), region);
		OBJ(w, "unmapped");
		M_STR(w, "type", ev->type);
		if (ev->data_json.p != NULL) {
			KEY(w, "data");
			put_json_verbatim(w, ev->data_json.p, ev->data_json.len);
		}
		wclose(w);
		break;
	}
}

/* ---- public ---- */

const char *
format_name(enum conf_format fmt)
{
	switch (fmt) {
	case CONF_FORMAT_ECS: return "ecs";
	case CONF_FORMAT_OCSF: return "ocsf";
	case CONF_FORMAT_RAW: return "raw";
	}
	return NULL;
}

/* After out's first reservation (out->data is not NULL). */
static void
w_init(struct w *w, struct buf *out)
{
	memset(w, 0, sizeof(*w));
	w->b = out;
	w_load(w);
}

/* Puts the NUL back (the fast paths skip it) or rolls back to len0. */
static int
w_finish(struct w *w, size_t len0)
{
	struct buf *b = w->b;

	if (w->err) {
		b->len = len0;
		b->data[len0] = '\0';
		return -1;
	}
	w_sync(w);
	b->data[b->len] = '\0';
	return 0;
}

/*
 * The event's strings point into its record, which lies in a page parsed as a whole
 * before its events are encoded: at 1.5 MB a page, the record has left the core's
 * cache by then, and the encoder visits its fields out of order, one cache miss after
 * the other (more than half of put_esc's cycles in make bench's profile were spent
 * waiting on its first load).  Asking for every line of the record at once lets the
 * misses overlap.
 */
static void
prefetch_record(const struct event *ev)
{
	const char *p = ev->raw, *end;

	if (p == NULL)
		return;
	for (end = p + ev->raw_len; p < end; p += 64)
		__builtin_prefetch(p);
}

int
format_encode(const struct event *ev, enum conf_format fmt, const char *region,
    struct buf *out)
{
	struct w w;
	size_t len0 = out->len;

	/* One reservation sized for the usual case keeps the fast paths hot. */
	if (buf_reserve(out, ev->raw_len + 2048) != 0 && buf_reserve(out, 1) != 0)
		return -1;
	w_init(&w, out);
	prefetch_record(ev);
	if (fmt == CONF_FORMAT_RAW) {
		put_json_verbatim(&w, ev->raw, ev->raw_len);
		return w_finish(&w, len0);
	}
	putc1(&w, '{');
	w.open[0] = 1;
	if (fmt == CONF_FORMAT_OCSF)
		ocsf_encode(&w, ev, region);
	else
		ecs_encode(&w, ev, region);
	putc1(&w, '}');
	return w_finish(&w, len0);
}

int
format_summary(const struct event *ev, struct buf *out)
{
	struct w w;
	size_t len0 = out->len;

	if (buf_reserve(out, 1) != 0)
		return -1;
	w_init(&w, out);
	summary(&w, ev, 0);
	return w_finish(&w, len0);
}
