/*
 * sinksim — a fake log sink for tests: an evhttp server that accepts the envelopes of
 * every sink type, writes each accepted event as one line to --out, and misbehaves on
 * demand (fault script, rejections, latency, dropped connections, outages).
 *
 *   sinksim --listen 127.0.0.1:0 --port-file F --out events.ndjson --mode http|es|splunk|loki|datadog|otlp
 *           [--script 500x3,429x2:retry-after=2,200] [--reject-match STR]
 *           [--latency-ms N] [--drop-conn-every N] [--fail-for-s N:CODE]
 *           [--require-header "Name: value"] [--stats-file F] [--count-only]
 *
 * Script entries (comma-separated, each applied to the next request(s) in order; the last
 * one repeats forever): CODE[xN][:retry-after=S][:delay=MS] | drop[xN] (close the
 * connection without answering) | hang[xN] (never answer) | lose[xN] (accept and record
 * the events, then close without answering: a lost response, so the client resends).  Events are recorded only when
 * a 2xx answer is actually sent.  Control: POST /_sinksim/script (body = new script),
 * GET /_sinksim/stats.  SIGUSR2 writes --stats-file; SIGTERM/SIGINT write it and exit.
 * The stats' max_concurrent is the most requests held at once (received and not yet
 * answered or dropped; `hang` ones are not counted): with a delay in the script it shows
 * a client's concurrency.
 *
 * --count-only (http mode, for the benchmark): instead of parsing every event with jansson
 * and writing it out (about as much CPU as the forwarder itself, so the sink became the
 * bottleneck on a 2-core machine), split the JSON array / NDJSON body with a byte scanner
 * and keep, per event, a cheap 64-bit hash of its exact bytes; the stats then carry
 * "content_sum" = the sum of the hashes of the unique events (order-independent), which
 * bench/bench_expect computes from ocisim --dump.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <getopt.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "gzip.h"
#include "hash.h"
#include "otlp_check.h"
#include "seen.h"
#include "timeutil.h"

enum mode { M_HTTP, M_ES, M_SPLUNK, M_LOKI, M_DATADOG, M_OTLP };
enum act { A_CODE, A_DROP, A_HANG, A_LOSE };

struct entry {
	enum act act;
	int code;
	int count;        /* 0 = the last entry: forever */
	int retry_after;  /* seconds; -1 = none */
	int delay_ms;
};

#define MAX_ARRIVALS 200000
#define MAX_CODES 16

struct sim {
	struct event_base *base;
	struct evhttp *http;
	enum mode mode;
	FILE *out;
	const char *stats_file;
	struct entry *script;
	size_t n_script, pos;
	int used; /* requests answered by script[pos] */
	const char *reject;
	int latency_ms;
	int drop_every;
	int fail_secs, fail_code;
	int64_t fail_start;
	char *req_hdr_name, *req_hdr_value;
	int64_t t0;
	uint64_t requests, events, dups, bytes, conflicts, rejected, dropped, hung;
	uint64_t open_now, max_concurrent; /* requests received and not yet answered */
	struct {
		char key[16];
		uint64_t n;
	} codes[MAX_CODES];
	size_t n_codes;
	int64_t *arrivals;
	size_t n_arrivals;
	struct seen *seen;  /* hashes of recorded event lines: duplicates */
	struct seen *ids;   /* es: _ids created (409 on a second create) */
	int count_only;
	uint64_t content_sum; /* --count-only: sum of hash_quick() of unique events */
};

struct pending {
	struct sim *sim;
	struct evhttp_request *req;
	struct evhttp_connection *conn;
	struct event *timer;
	int code;
	int retry_after;
	struct buf body;      /* response body */
	struct buf record;    /* lines to record when the answer goes out */
	uint64_t n_record;
	int drop;
	int lose;             /* record the events, then drop the answer */
	uint64_t *ids;        /* es: _id hashes created when the answer goes out */
	size_t n_ids;
	int reject_seen;      /* an event matched --reject-match */
	long reject_index;
	uint64_t *hashes;     /* --count-only: one per event, recorded with the answer */
	size_t n_hashes, cap_hashes;
};

static uint64_t
fnv(const char *p, size_t n)
{
	uint64_t h = hash_fnv1a(HASH_FNV1A_INIT, p, n);

	return h ? h : 1; /* 0 is the seen-set's empty slot */
}

static void
count_code(struct sim *sim, const char *key)
{
	size_t i;

	for (i = 0; i < sim->n_codes; i++)
		if (strcmp(sim->codes[i].key, key) == 0) {
			sim->codes[i].n++;
			return;
		}
	if (sim->n_codes < MAX_CODES) {
		snprintf(sim->codes[sim->n_codes].key, sizeof(sim->codes[0].key), "%s", key);
		sim->codes[sim->n_codes++].n = 1;
	}
}

static int
parse_script(const char *text, struct entry **out, size_t *n_out)
{
	char *copy = strdup(text), *tok, *save = NULL;
	struct entry *v = NULL;
	size_t n = 0;

	if (copy == NULL)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct entry e = {A_CODE, 200, 1, -1, 0};
		char *opt, *x, *save2 = NULL;
		struct entry *nv;

		while (*tok == ' ' || *tok == '\n')
			tok++;
		opt = strtok_r(tok, ":", &save2);
		if (opt == NULL)
			continue;
		x = strchr(opt, 'x');
		if (x != NULL) {
			*x = '\0';
			e.count = atoi(x + 1);
			if (e.count < 1)
				goto fail;
		}
		if (strcmp(opt, "drop") == 0)
			e.act = A_DROP;
		else if (strcmp(opt, "hang") == 0)
			e.act = A_HANG;
		else if (strcmp(opt, "lose") == 0)
			e.act = A_LOSE;
		else if ((e.code = atoi(opt)) < 100 || e.code > 599)
			goto fail;
		while ((opt = strtok_r(NULL, ":", &save2)) != NULL) {
			if (strncmp(opt, "retry-after=", 12) == 0)
				e.retry_after = atoi(opt + 12);
			else if (strncmp(opt, "delay=", 6) == 0)
				e.delay_ms = atoi(opt + 6);
			else
				goto fail;
		}
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (nv == NULL)
			goto fail;
		v = nv;
		v[n++] = e;
	}
	free(copy);
	if (n == 0) {
		free(v);
		return -1;
	}
	*out = v;
	*n_out = n;
	return 0;
fail:
	free(copy);
	free(v);
	return -1;
}

/* The answer for this request: from --fail-for-s, else the script. */
static struct entry
next_entry(struct sim *sim)
{
	struct entry e = {A_CODE, 200, 0, -1, 0};
	int64_t now = timeutil_mono_ms();

	if (sim->fail_secs > 0) {
		if (sim->fail_start == 0)
			sim->fail_start = now;
		if (now - sim->fail_start < (int64_t)sim->fail_secs * 1000) {
			e.code = sim->fail_code;
			return e;
		}
	}
	if (sim->n_script == 0)
		return e;
	e = sim->script[sim->pos];
	if (sim->pos + 1 < sim->n_script) {
		if (++sim->used >= e.count) {
			sim->pos++;
			sim->used = 0;
		}
	}
	return e;
}

static int
matches(const struct sim *sim, const char *p, size_t n)
{
	if (sim->reject == NULL)
		return 0;
	/* p is NUL-terminated at n by construction of the callers. */
	(void)n;
	return strstr(p, sim->reject) != NULL;
}

static int
add_line(struct pending *pd, const char *p, size_t n)
{
	const char *q;

	/* A line per event: flatten any newline (cannot occur in compact JSON). */
	for (q = p; q < p + n; q++)
		if (buf_append_char(&pd->record, (*q == '\n' || *q == '\r') ? ' ' : *q) != 0)
			return -1;
	pd->n_record++;
	return buf_append_char(&pd->record, '\n');
}

/* Consecutive JSON values (NDJSON, one object, HEC's concatenated envelopes). */
static int
each_value(const char *p, size_t n, int (*fn)(struct pending *, json_t *, size_t),
    struct pending *pd)
{
	size_t off = 0, idx = 0;
	json_error_t je;

	for (;;) {
		json_t *v;
		while (off < n && (p[off] == ' ' || p[off] == '\n' || p[off] == '\r' ||
		    p[off] == '\t'))
			off++;
		if (off >= n)
			return 0;
		v = json_loadb(p + off, n - off, JSON_DISABLE_EOF_CHECK, &je);
		if (v == NULL)
			return -1;
		if (fn(pd, v, idx++) != 0) {
			json_decref(v);
			return -1;
		}
		json_decref(v);
		off += je.position;
	}
}

static int
v_plain(struct pending *pd, json_t *v, size_t idx)
{
	char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	int rc;

	if (t == NULL)
		return -1;
	if (matches(pd->sim, t, strlen(t)) && !pd->reject_seen) {
		pd->reject_seen = 1;
		pd->reject_index = (long)idx;
	}
	rc = add_line(pd, t, strlen(t));
	free(t);
	return rc;
}

static int
v_hec(struct pending *pd, json_t *v, size_t idx)
{
	json_t *ev = json_object_get(v, "event");

	if (ev == NULL || json_object_get(v, "time") == NULL)
		return -1;
	return v_plain(pd, ev, idx);
}

static int
read_array(struct pending *pd, const char *p, size_t n)
{
	json_error_t je;
	json_t *a = json_loadb(p, n, 0, &je), *v;
	size_t i;
	int rc = 0;

	if (!json_is_array(a)) {
		json_decref(a);
		return -1;
	}
	json_array_foreach(a, i, v) {
		if (!json_is_object(v) || v_plain(pd, v, i) != 0) {
			rc = -1;
			break;
		}
	}
	json_decref(a);
	return rc;
}

static int
read_loki(struct pending *pd, const char *p, size_t n)
{
	json_error_t je;
	json_t *root = json_loadb(p, n, 0, &je), *streams, *st, *vals, *pair;
	size_t i, j, idx = 0;
	int rc = -1;

	streams = json_object_get(root, "streams");
	if (!json_is_array(streams))
		goto done;
	json_array_foreach(streams, i, st) {
		if (!json_is_object(json_object_get(st, "stream")))
			goto done;
		vals = json_object_get(st, "values");
		if (!json_is_array(vals))
			goto done;
		json_array_foreach(vals, j, pair) {
			const char *ts = json_string_value(json_array_get(pair, 0));
			const char *line = json_string_value(json_array_get(pair, 1));
			if (ts == NULL || line == NULL)
				goto done;
			if (matches(pd->sim, line, strlen(line)) && !pd->reject_seen) {
				pd->reject_seen = 1;
				pd->reject_index = (long)idx;
			}
			if (add_line(pd, line, strlen(line)) != 0)
				goto done;
			idx++;
		}
	}
	rc = 0;
done:
	json_decref(root);
	return rc;
}

/* OTLP/HTTP JSON logs: checked field by field (otlp_check.c); a violation is a 400 and
 * is printed on stderr. */
static int
emit_otlp(void *arg, const char *line, size_t n)
{
	struct pending *pd = arg;

	if (matches(pd->sim, line, n) && !pd->reject_seen) {
		pd->reject_seen = 1;
		pd->reject_index = (long)pd->n_record;
	}
	return add_line(pd, line, n);
}

static int
read_otlp(struct pending *pd, const char *p, size_t n)
{
	char why[256];

	if (otlp_check_body(p, n, emit_otlp, pd, why, sizeof(why)) == 0)
		return 0;
	fprintf(stderr, "sinksim: OTLP body refused: %s\n", why);
	return -1;
}

/* Elasticsearch _bulk: builds the per-item response as it goes. */
static int
read_bulk(struct pending *pd, const char *p, size_t n)
{
	struct sim *sim = pd->sim;
	const char *end = p + n, *nl;
	int errors = 0, first = 1;
	struct buf items;

	buf_init(&items, 0);
	while (p < end) {
		json_error_t je;
		json_t *act, *meta;
		const char *doc, *id;
		size_t doclen;
		int st;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			goto bad; /* every line must end with \n */
		if (nl == p) {
			p++;
			continue;
		}
		act = json_loadb(p, (size_t)(nl - p), 0, &je);
		meta = json_object_get(act, "create");
		if (meta == NULL)
			meta = json_object_get(act, "index");
		if (!json_is_object(meta)) {
			json_decref(act);
			goto bad;
		}
		doc = nl + 1;
		nl = memchr(doc, '\n', (size_t)(end - doc));
		if (nl == NULL) {
			json_decref(act);
			goto bad;
		}
		doclen = (size_t)(nl - doc);
		id = json_string_value(json_object_get(meta, "_id"));
		{
			char *d = strndup(doc, doclen);
			int rej = d != NULL && matches(sim, d, doclen);
			free(d);
			if (rej) {
				st = 400;
				sim->rejected++;
			} else if (id != NULL && seen_has(sim->ids, fnv(id, strlen(id)))) {
				st = 409;
				sim->conflicts++;
			} else {
				st = 201;
				if (id != NULL) {
					uint64_t *ni = realloc(pd->ids, (pd->n_ids + 1) * sizeof(*ni));
					if (ni == NULL) {
						json_decref(act);
						goto bad;
					}
					pd->ids = ni;
					pd->ids[pd->n_ids++] = fnv(id, strlen(id));
				}
				if (add_line(pd, doc, doclen) != 0) {
					json_decref(act);
					goto bad;
				}
			}
		}
		if (st != 201)
			errors = 1;
		if (st == 400)
			buf_printf(&items, "%s{\"create\":{\"_id\":\"%s\",\"status\":400,\"error\":"
			    "{\"type\":\"mapper_parsing_exception\",\"reason\":\"failed to parse "
			    "(sinksim reject)\"}}}", first ? "" : ",", id ? id : "");
		else if (st == 409)
			buf_printf(&items, "%s{\"create\":{\"_id\":\"%s\",\"status\":409,\"error\":"
			    "{\"type\":\"version_conflict_engine_exception\",\"reason\":"
			    "\"document already exists\"}}}", first ? "" : ",", id ? id : "");
		else
			buf_printf(&items, "%s{\"create\":{\"_id\":\"%s\",\"status\":201,"
			    "\"result\":\"created\"}}", first ? "" : ",", id ? id : "");
		first = 0;
		json_decref(act);
		p = nl + 1;
	}
	buf_printf(&pd->body, "{\"took\":1,\"errors\":%s,\"items\":[%s]}",
	    errors ? "true" : "false", items.data ? items.data : "");
	buf_cleanup(&items);
	return 0;
bad:
	buf_cleanup(&items);
	return -1;
}

/*
 * --count-only: hashes each event of a JSON array or of NDJSON (top-level objects)
 * without parsing it: only strings and nesting are tracked.  0, or -1 when malformed.
 */
static int
count_events(struct pending *pd, const char *p, size_t n)
{
	const char *end = p + n, *q = p, *start = NULL;
	int depth = 0, evdepth = 0;

	while (q < end && (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t'))
		q++;
	if (q < end && *q == '[') {
		evdepth = depth = 1;
		q++;
	}
	for (; q < end; q++) {
		switch (*q) {
		case '"': {
			/* To the closing quote: the next '"' not escaped, that is not preceded by
			 * an odd run of backslashes.  memchr, not a byte loop: strings are most
			 * of an event, and this scan was the sink's largest cost in make bench. */
			const char *open = q, *b;

			for (;;) {
				q = memchr(q + 1, '"', (size_t)(end - q - 1));
				if (q == NULL)
					return -1;
				for (b = q; b > open + 1 && b[-1] == '\\'; b--)
					;
				if ((q - b) % 2 == 0)
					break;
			}
			break;
		}
		case '{':
		case '[':
			if (depth == evdepth) {
				if (*q != '{')
					return -1;
				start = q;
			}
			depth++;
			break;
		case '}':
		case ']':
			if (depth == 0)
				return -1;
			if (--depth == evdepth && start != NULL) {
				if (pd->n_hashes == pd->cap_hashes) {
					size_t nc = pd->cap_hashes ? pd->cap_hashes * 2 : 512;
					uint64_t *nh = realloc(pd->hashes, nc * sizeof(*nh));
					if (nh == NULL)
						return -1;
					pd->hashes = nh;
					pd->cap_hashes = nc;
				}
				pd->hashes[pd->n_hashes++] = hash_quick(start, (size_t)(q + 1 - start));
				pd->n_record++;
				start = NULL;
			}
			break;
		default:
			break;
		}
	}
	return depth == 0 ? 0 : -1;
}

static void
record(struct pending *pd)
{
	struct sim *sim = pd->sim;
	const char *p = pd->record.data, *end = p + pd->record.len, *nl;
	size_t i;

	/* Only now is the document "indexed": a resend of an unanswered bulk creates it. */
	for (i = 0; i < pd->n_ids; i++)
		seen_add(sim->ids, pd->ids[i], 0);
	for (i = 0; i < pd->n_hashes; i++) {
		sim->events++;
		if (seen_add(sim->seen, pd->hashes[i], 0) == 0)
			sim->dups++;
		else
			sim->content_sum += pd->hashes[i];
	}
	for (; p != NULL && p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			break;
		sim->events++;
		if (seen_add(sim->seen, fnv(p, (size_t)(nl - p)), 0) == 0)
			sim->dups++;
	}
	if (sim->out != NULL && pd->record.len > 0) {
		fwrite(pd->record.data, 1, pd->record.len, sim->out);
		fflush(sim->out);
	}
}

static void
pending_free(struct pending *pd)
{
	pd->sim->open_now--;
	if (pd->timer)
		event_free(pd->timer);
	buf_cleanup(&pd->body);
	buf_cleanup(&pd->record);
	free(pd->ids);
	free(pd->hashes);
	free(pd);
}

static void
on_conn_close(struct evhttp_connection *conn, void *arg)
{
	/* The client gave up (timeout) before the delayed answer: nothing is recorded. */
	pending_free(arg);
}

static void
answer(struct pending *pd)
{
	struct sim *sim = pd->sim;
	struct evbuffer *eb;
	char k[16];

	if (pd->conn != NULL)
		evhttp_connection_set_closecb(pd->conn, NULL, NULL);
	if (pd->timer != NULL && pd->conn != NULL && !pd->drop && !pd->lose) {
		/* A delayed answer: if the client already hung up (its timeout), a real
		 * server would have nothing to answer to: record nothing. */
		struct bufferevent *bev = evhttp_connection_get_bufferevent(pd->conn);
		evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
		char c;
		if (fd >= 0 && recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0) {
			count_code(sim, "client-gone");
			evhttp_connection_free(pd->conn);
			pending_free(pd);
			return;
		}
	}
	if (pd->lose && pd->code >= 200 && pd->code < 300) {
		record(pd);
		count_code(sim, "lose");
		pd->drop = 1;
	}
	if (pd->drop) {
		/* Close without a word: the client sees a connection error. */
		evhttp_connection_free(pd->conn);
		sim->dropped++;
		pending_free(pd);
		return;
	}
	snprintf(k, sizeof(k), "%d", pd->code);
	count_code(sim, k);
	if (pd->code >= 200 && pd->code < 300)
		record(pd);
	if (pd->retry_after >= 0) {
		char v[32];
		snprintf(v, sizeof(v), "%d", pd->retry_after);
		evhttp_add_header(evhttp_request_get_output_headers(pd->req), "Retry-After", v);
	}
	evhttp_add_header(evhttp_request_get_output_headers(pd->req), "Content-Type",
	    "application/json");
	eb = evbuffer_new();
	if (eb != NULL && pd->body.len > 0 && pd->code != 204)
		evbuffer_add(eb, pd->body.data, pd->body.len);
	evhttp_send_reply(pd->req, pd->code, NULL, eb);
	if (eb)
		evbuffer_free(eb);
	pending_free(pd);
}

static void
on_delay(evutil_socket_t fd, short what, void *arg)
{
	answer(arg);
}

static void
write_stats(struct sim *sim, FILE *f)
{
	size_t i;

	fprintf(f, "{\"requests\":%llu,\"events\":%llu,\"unique_events\":%llu,"
	    "\"duplicate_events\":%llu,\"bytes\":%llu,\"conflicts\":%llu,\"rejected\":%llu,"
	    "\"dropped_connections\":%llu,\"hung\":%llu,\"content_sum\":\"%016llx\","
	    "\"max_concurrent\":%llu,\"codes\":{",
	    (unsigned long long)sim->requests, (unsigned long long)sim->events,
	    (unsigned long long)(sim->events - sim->dups), (unsigned long long)sim->dups,
	    (unsigned long long)sim->bytes, (unsigned long long)sim->conflicts,
	    (unsigned long long)sim->rejected, (unsigned long long)sim->dropped,
	    (unsigned long long)sim->hung, (unsigned long long)sim->content_sum,
	    (unsigned long long)sim->max_concurrent);
	for (i = 0; i < sim->n_codes; i++)
		fprintf(f, "%s\"%s\":%llu", i ? "," : "", sim->codes[i].key,
		    (unsigned long long)sim->codes[i].n);
	fprintf(f, "},\"arrivals_ms\":[");
	for (i = 0; i < sim->n_arrivals; i++)
		fprintf(f, "%s%lld", i ? "," : "", (long long)sim->arrivals[i]);
	fprintf(f, "]}\n");
}

static void
save_stats(struct sim *sim)
{
	char tmp[4096];
	FILE *f;

	if (sim->stats_file == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", sim->stats_file);
	f = fopen(tmp, "w");
	if (f == NULL)
		return;
	write_stats(sim, f);
	if (fclose(f) == 0)
		rename(tmp, sim->stats_file);
}

static void
control(struct sim *sim, struct evhttp_request *req, const char *path)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req), *eb = evbuffer_new();

	if (eb == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	if (strcmp(path, "/_sinksim/script") == 0) {
		size_t n = evbuffer_get_length(in);
		char *t = malloc(n + 1);
		struct entry *v;
		size_t nv;
		if (t != NULL) {
			evbuffer_remove(in, t, n);
			t[n] = '\0';
		}
		if (t != NULL && parse_script(t, &v, &nv) == 0) {
			free(sim->script);
			sim->script = v;
			sim->n_script = nv;
			sim->pos = 0;
			sim->used = 0;
			evbuffer_add_printf(eb, "{\"ok\":true}");
			evhttp_send_reply(req, 200, "OK", eb);
		} else {
			evbuffer_add_printf(eb, "{\"error\":\"bad script\"}");
			evhttp_send_reply(req, 400, "Bad Request", eb);
		}
		free(t);
	} else if (strcmp(path, "/_sinksim/stats") == 0) {
		char *mem = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&mem, &len);
		if (f != NULL) {
			write_stats(sim, f);
			fclose(f);
			evbuffer_add(eb, mem, len);
			free(mem);
		}
		evhttp_send_reply(req, 200, "OK", eb);
	} else {
		evhttp_send_reply(req, 404, "Not Found", eb);
	}
	evbuffer_free(eb);
}

static void
on_request(struct evhttp_request *req, void *arg)
{
	struct sim *sim = arg;
	const char *uri = evhttp_request_get_uri(req), *enc;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	struct evkeyvalq *hdrs = evhttp_request_get_input_headers(req);
	struct pending *pd;
	struct entry e;
	struct buf raw, plain;
	const char *body;
	size_t len;
	int rc = 0, delay = 0;

	if (strncmp(uri, "/_sinksim/", 10) == 0) {
		control(sim, req, uri);
		return;
	}
	sim->requests++;
	if (sim->n_arrivals < MAX_ARRIVALS)
		sim->arrivals[sim->n_arrivals++] = timeutil_mono_ms() - sim->t0;
	pd = calloc(1, sizeof(*pd));
	if (pd == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	pd->sim = sim;
	if (++sim->open_now > sim->max_concurrent)
		sim->max_concurrent = sim->open_now;
	pd->req = req;
	pd->conn = evhttp_request_get_connection(req);
	pd->retry_after = -1;
	buf_init(&pd->body, 0);
	buf_init(&pd->record, 0);
	buf_init(&raw, 0);
	buf_init(&plain, 0);
	len = evbuffer_get_length(in);
	sim->bytes += len;
	if (buf_reserve(&raw, len) == 0) {
		evbuffer_remove(in, raw.data, len);
		raw.len = len;
		raw.data[len] = '\0';
	}
	if (sim->drop_every > 0 && sim->requests % (uint64_t)sim->drop_every == 0) {
		pd->drop = 1;
		goto reply;
	}
	e = next_entry(sim);
	delay = sim->latency_ms + e.delay_ms;
	if (e.act == A_HANG) {
		/* Never answered; evhttp frees the request when the client hangs up. */
		sim->hung++;
		count_code(sim, "hang");
		pending_free(pd);
		goto out;
	}
	if (e.act == A_DROP) {
		pd->drop = 1;
		count_code(sim, "drop");
		goto reply;
	}
	pd->code = e.act == A_LOSE ? 200 : e.code;
	pd->lose = e.act == A_LOSE;
	pd->retry_after = e.retry_after;
	if (sim->req_hdr_name != NULL) {
		const char *v = evhttp_find_header(hdrs, sim->req_hdr_name);
		if (v == NULL || strcmp(v, sim->req_hdr_value) != 0) {
			pd->code = 401;
			buf_printf(&pd->body, "{\"error\":\"missing or wrong %s\"}",
			    sim->req_hdr_name);
			goto delayed;
		}
	}
	if (pd->code < 200 || pd->code >= 300) {
		buf_printf(&pd->body, "{\"error\":\"sinksim scripted %d\"}", pd->code);
		goto delayed;
	}
	body = raw.data ? raw.data : "";
	enc = evhttp_find_header(hdrs, "Content-Encoding");
	if (enc != NULL && strcmp(enc, "gzip") == 0) {
		if (gzip_decompress(raw.data, raw.len, 0, &plain) != 0) {
			pd->code = 400;
			buf_printf(&pd->body, "{\"error\":\"bad gzip body\"}");
			goto delayed;
		}
		body = plain.data ? plain.data : "";
		len = plain.len;
	}
	pd->reject_index = -1;
	if (sim->count_only) {
		rc = count_events(pd, body, len);
		goto parsed;
	}
	switch (sim->mode) {
	case M_ES:
		rc = read_bulk(pd, body, len);
		break;
	case M_SPLUNK:
		rc = each_value(body, len, v_hec, pd);
		break;
	case M_LOKI:
		rc = read_loki(pd, body, len);
		break;
	case M_DATADOG:
		rc = read_array(pd, body, len);
		break;
	case M_OTLP:
		rc = read_otlp(pd, body, len);
		break;
	case M_HTTP: {
		const char *q = body;
		while (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t')
			q++;
		rc = *q == '[' ? read_array(pd, body, len) : each_value(body, len, v_plain, pd);
		break;
	}
	}
parsed:
	if (rc != 0 || (pd->n_record == 0 && sim->mode != M_ES)) {
		pd->code = 400;
		buf_reset(&pd->record);
		buf_reset(&pd->body);
		if (sim->mode == M_SPLUNK)
			buf_printf(&pd->body, "{\"text\":\"Invalid data format\",\"code\":6}");
		else
			buf_printf(&pd->body, "{\"error\":\"cannot parse the %s body\"}",
			    sim->mode == M_ES ? "_bulk" : "request");
		goto delayed;
	}
	if (pd->reject_seen && sim->mode != M_ES) {
		sim->rejected++;
		pd->code = 400;
		buf_reset(&pd->record);
		pd->n_record = 0;
		buf_reset(&pd->body);
		if (sim->mode == M_SPLUNK)
			buf_printf(&pd->body, "{\"text\":\"Invalid data format\",\"code\":6,"
			    "\"invalid-event-number\":%ld}", pd->reject_index);
		else
			buf_printf(&pd->body, "{\"error\":\"event %ld rejected by sinksim\"}",
			    pd->reject_index);
		goto delayed;
	}
	switch (sim->mode) {
	case M_HTTP: if (pd->code == 200) buf_printf(&pd->body, "{\"ok\":true}"); break;
	case M_SPLUNK: buf_printf(&pd->body, "{\"text\":\"Success\",\"code\":0}"); break;
	case M_DATADOG: if (pd->code == 200) pd->code = 202; buf_printf(&pd->body, "{}"); break;
	case M_LOKI: if (pd->code == 200) pd->code = 204; break;
	case M_OTLP: if (pd->code == 200) buf_printf(&pd->body, "{\"partialSuccess\":{}}"); break;
	case M_ES: break;
	}
delayed:
	if (delay > 0 || pd->drop || pd->lose) {
		struct timeval tv = {delay / 1000, (delay % 1000) * 1000};
		pd->timer = evtimer_new(sim->base, on_delay, pd);
		if (pd->timer == NULL) {
			answer(pd);
			goto out;
		}
		evhttp_connection_set_closecb(pd->conn, on_conn_close, pd);
		evtimer_add(pd->timer, &tv);
		goto out;
	}
reply:
	if (pd->drop) {
		/* Closing the connection inside evhttp's callback is unsafe: defer it. */
		delay = 0;
		goto delayed;
	}
	answer(pd);
out:
	buf_cleanup(&raw);
	buf_cleanup(&plain);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct sim *sim = arg;

	if (sig == SIGUSR2) {
		save_stats(sim);
		return;
	}
	event_base_loopbreak(sim->base);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: sinksim --listen HOST:PORT [--port-file F] [--out F] "
	    "[--mode http|es|splunk|loki|datadog|otlp]\n"
	    "       [--script SCRIPT] [--reject-match STR] [--latency-ms N] "
	    "[--drop-conn-every N]\n"
	    "       [--fail-for-s N:CODE] [--require-header 'Name: value'] [--stats-file F]\n"
	    "       [--count-only]   (http mode: hash events, don't parse or write them)\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"port-file", required_argument, NULL, 'p'},
		{"out", required_argument, NULL, 'o'},
		{"mode", required_argument, NULL, 'm'},
		{"script", required_argument, NULL, 's'},
		{"reject-match", required_argument, NULL, 'r'},
		{"reject-field", required_argument, NULL, 'r'},
		{"latency-ms", required_argument, NULL, 'L'},
		{"drop-conn-every", required_argument, NULL, 'd'},
		{"fail-for-s", required_argument, NULL, 'f'},
		{"require-header", required_argument, NULL, 'H'},
		{"stats-file", required_argument, NULL, 'S'},
		{"count-only", no_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct sim sim;
	const char *listen = "127.0.0.1:0", *port_file = NULL, *out = NULL;
	char host[256];
	struct evhttp_bound_socket *bs;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct event *sigs[4];
	int c, port, rc = 1;
	size_t i;
	char *colon;

	memset(&sim, 0, sizeof(sim));
	sim.seen = seen_new();
	sim.ids = seen_new();
	if (sim.seen == NULL || sim.ids == NULL) {
		fprintf(stderr, "sinksim: out of memory\n");
		return 1;
	}
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': listen = optarg; break;
		case 'p': port_file = optarg; break;
		case 'o': out = optarg; break;
		case 'm':
			if (strcmp(optarg, "http") == 0) sim.mode = M_HTTP;
			else if (strcmp(optarg, "es") == 0) sim.mode = M_ES;
			else if (strcmp(optarg, "splunk") == 0) sim.mode = M_SPLUNK;
			else if (strcmp(optarg, "loki") == 0) sim.mode = M_LOKI;
			else if (strcmp(optarg, "datadog") == 0) sim.mode = M_DATADOG;
			else if (strcmp(optarg, "otlp") == 0) sim.mode = M_OTLP;
			else { usage(); return 64; }
			break;
		case 's':
			if (parse_script(optarg, &sim.script, &sim.n_script) != 0) {
				fprintf(stderr, "sinksim: bad --script %s\n", optarg);
				return 64;
			}
			break;
		case 'r': sim.reject = optarg; break;
		case 'L': sim.latency_ms = atoi(optarg); break;
		case 'd': sim.drop_every = atoi(optarg); break;
		case 'f':
			if (sscanf(optarg, "%d:%d", &sim.fail_secs, &sim.fail_code) != 2) {
				fprintf(stderr, "sinksim: --fail-for-s N:CODE\n");
				return 64;
			}
			break;
		case 'H': {
			char *p = strchr(optarg, ':');
			if (p == NULL) { usage(); return 64; }
			sim.req_hdr_name = strndup(optarg, (size_t)(p - optarg));
			p++;
			while (*p == ' ')
				p++;
			sim.req_hdr_value = strdup(p);
			break;
		}
		case 'S': sim.stats_file = optarg; break;
		case 'C': sim.count_only = 1; break;
		default: usage(); return c == 'h' ? 0 : 64;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	snprintf(host, sizeof(host), "%s", listen);
	colon = strrchr(host, ':');
	if (colon == NULL) {
		usage();
		return 64;
	}
	*colon = '\0';
	port = atoi(colon + 1);
	sim.arrivals = calloc(MAX_ARRIVALS, sizeof(*sim.arrivals));
	sim.base = event_base_new();
	sim.http = sim.base ? evhttp_new(sim.base) : NULL;
	if (sim.arrivals == NULL || sim.http == NULL) {
		fprintf(stderr, "sinksim: out of memory\n");
		return 1;
	}
	if (out != NULL && (sim.out = fopen(out, "a")) == NULL) {
		fprintf(stderr, "sinksim: %s: %s\n", out, strerror(errno));
		return 1;
	}
	evhttp_set_max_body_size(sim.http, 256 << 20);
	evhttp_set_allowed_methods(sim.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT);
	evhttp_set_gencb(sim.http, on_request, &sim);
	bs = evhttp_bind_socket_with_handle(sim.http, host, (ev_uint16_t)port);
	if (bs == NULL) {
		fprintf(stderr, "sinksim: cannot listen on %s\n", listen);
		return 1;
	}
	if (getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &sl) == 0)
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (port_file != NULL) {
		char tmp[4096];
		FILE *f;
		snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
		f = fopen(tmp, "w");
		if (f == NULL || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 ||
		    rename(tmp, port_file) != 0) {
			fprintf(stderr, "sinksim: cannot write %s\n", port_file);
			return 1;
		}
	}
	fprintf(stderr, "sinksim: listening on %s:%d\n", host, port);
	sim.t0 = timeutil_mono_ms();
	sigs[0] = evsignal_new(sim.base, SIGTERM, on_signal, &sim);
	sigs[1] = evsignal_new(sim.base, SIGINT, on_signal, &sim);
	sigs[2] = evsignal_new(sim.base, SIGUSR2, on_signal, &sim);
	sigs[3] = evsignal_new(sim.base, SIGHUP, on_signal, &sim);
	for (i = 0; i < 4; i++)
		if (sigs[i] != NULL)
			evsignal_add(sigs[i], NULL);
	event_base_dispatch(sim.base);
	save_stats(&sim);
	fprintf(stderr, "sinksim: %llu requests, %llu events (%llu duplicates), %llu bytes\n",
	    (unsigned long long)sim.requests, (unsigned long long)sim.events,
	    (unsigned long long)sim.dups, (unsigned long long)sim.bytes);
	rc = 0;
	for (i = 0; i < 4; i++)
		if (sigs[i] != NULL)
			event_free(sigs[i]);
	evhttp_free(sim.http);
	event_base_free(sim.base);
	if (sim.out)
		fclose(sim.out);
	free(sim.script);
	free(sim.arrivals);
	seen_free(sim.seen);
	seen_free(sim.ids);
	free(sim.req_hdr_name);
	free(sim.req_hdr_value);
	return rc;
}
