/*
 * probe.c — --probe: one real request per source and per sink, a table of what works,
 * and the fix for what does not.  See probe.h.
 */
#include "probe.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "event.h"
#include "http.h"
#include "netaddr.h"
#include "normalize.h"
#include "oci.h"
#include "search.h"
#include "sink_registry.h"
#include "source_kafka.h"
#include "timeutil.h"

/*
 * A source is sampled over the hour before now - lag: a minute (what the probe read
 * before) is often empty for a quiet log or a late ingest, and an empty sample can judge
 * neither the query nor the feedback loop.  Up to PROBE_MAX_PAGES pages of PROBE_LIMIT
 * records: enough to judge, bounded in time and in OCI requests however busy the log.
 */
#define PROBE_LIMIT 200
#define PROBE_MAX_PAGES 5
#define PROBE_WINDOW_MS 3600000
#define PROBE_SEARCH_TIMEOUT_MS 10000
#define PROBE_SINK_TIMEOUT_MS 10000
/* Text of one row's detail or fix: bounded; a failed append only shortens a message. */
#define PROBE_TEXT_MAX 8192
/* Distinct own addresses remembered per source (a host has a handful). */
#define PROBE_OWN_MAX 8
#define PROBE_SINK_HEADERS_MAX 40

enum status { ST_PENDING, ST_OK, ST_WARN, ST_FAILED, ST_SKIPPED };

struct own_addr {
	struct netaddr a;
	char text[64]; /* as the flow record wrote it, for the query filter */
};

struct probe;

struct item {
	struct probe *p;
	const char *kind; /* "source" | "sink" */
	const char *name;
	const struct conf_source *src;
	const struct conf_sink *snk;
	enum status st;
	struct buf detail;
	struct buf fix;
	/* source */
	struct search *search;
	long last_status;   /* last HTTP status seen (0 = transport error) */
	unsigned responses; /* HTTP responses and transport errors seen */
	int64_t start_ms, end_ms;
	uint64_t records;   /* records read so far */
	unsigned pages;     /* pages read so far */
	int64_t newest_ms;  /* newest record time read (0: none known) */
	uint64_t flow_records, own_records;
	struct own_addr own[PROBE_OWN_MAX];
	size_t n_own;
	/* sink */
	struct http_xfer *xfer;
	char *url;
	char *url_shown; /* url masked as -t masks it (conf_mask_url); may be NULL */
	char *hdr[PROBE_SINK_HEADERS_MAX];
	size_t n_hdr;
};

struct probe {
	struct event_base *base;
	const struct conf *conf;
	struct http *http;
	struct oci_client *oci;
	struct normalizer *norm;
	struct netaddr_set *local;
	struct item *items;
	size_t n;
	size_t pending;
	struct event *deadline;
	char *endpoint_shown; /* the OCI endpoint, masked; may be NULL */
	int running; /* inside event_base_dispatch: the last answer ends it */
};

/* The OCI endpoint as it may be printed (masked), or NULL when not known (yet). */
static const char *
endpoint_shown(struct probe *p)
{
	const char *ep = p->oci != NULL ? oci_client_endpoint(p->oci) : NULL;

	if (p->endpoint_shown == NULL && ep != NULL)
		p->endpoint_shown = conf_mask_url(ep);
	return p->endpoint_shown;
}

/* The sink URL as it may be printed (masked); never the URL itself. */
static const char *
url_shown(const struct item *it)
{
	return it->url_shown != NULL ? it->url_shown : "the sink URL";
}

static const char *
status_name(enum status s)
{
	switch (s) {
	case ST_OK: return "OK";
	case ST_WARN: return "WARN";
	case ST_FAILED: return "FAILED";
	case ST_SKIPPED: return "SKIPPED";
	case ST_PENDING: break;
	}
	return "PENDING";
}

static const char *
text(const struct buf *b)
{
	return b->data != NULL ? b->data : "";
}

/* An item has its answer: the loop stops when the last one has. */
static void
finish(struct item *it, enum status st)
{
	struct probe *p = it->p;

	if (it->st != ST_PENDING)
		return;
	it->st = st;
	if (p->pending > 0 && --p->pending == 0 && p->running)
		event_base_loopexit(p->base, NULL);
}

/* ---------------------------------------------------------------- query text */

/*
 * The scopes of `search "a/b/c", "d"`: calls fn for each quoted scope.  Stops at the
 * first thing that is not part of the scope list (the rest of the query does not matter).
 */
static void
each_scope(const char *q, void (*fn)(void *arg, const char *s, size_t n), void *arg)
{
	while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
		q++;
	if (strncasecmp(q, "search", 6) != 0)
		return;
	q += 6;
	for (;;) {
		const char *s;

		while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
			q++;
		if (*q != '"')
			return;
		s = ++q;
		while (*q != '\0' && *q != '"')
			q += (*q == '\\' && q[1] != '\0') ? 2 : 1;
		if (*q != '"')
			return;
		fn(arg, s, (size_t)(q - s));
		q++;
		while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
			q++;
		if (*q != ',')
			return;
		q++;
	}
}

/* Offset of the first `|` outside quotes, or strlen(q). */
static size_t
first_pipe(const char *q)
{
	const char *s = q;
	char quote = 0;

	for (; *s != '\0'; s++) {
		if (quote) {
			if (*s == '\\' && s[1] != '\0')
				s++;
			else if (*s == quote)
				quote = 0;
		} else if (*s == '"' || *s == '\'') {
			quote = *s;
		} else if (*s == '|') {
			break;
		}
	}
	return (size_t)(s - q);
}

struct policy_ctx {
	struct buf *out;
	const char *subject; /* "group <your-group>" | "dynamic-group <your-dynamic-group>" */
	struct buf seen;     /* statements already written, "\n"-separated */
	int count;
};

static void
add_statement(struct policy_ctx *pc, const char *verb, const char *where, const char *id,
    size_t idlen)
{
	struct buf st;

	buf_init(&st, 1024);
	buf_printf(&st, "Allow %s to %s in %s%.*s", pc->subject, verb, where, (int)idlen, id);
	if (st.data != NULL && (pc->seen.data == NULL || strstr(pc->seen.data, st.data) == NULL)) {
		buf_printf(pc->out, "    %s\n", st.data);
		buf_printf(&pc->seen, "%s\n", st.data);
		pc->count++;
	}
	buf_cleanup(&st);
}

static void
policy_for_scope(void *arg, const char *s, size_t n)
{
	struct policy_ctx *pc = arg;
	const char *slash = memchr(s, '/', n);
	size_t clen = slash ? (size_t)(slash - s) : n;
	const char *where;
	int audit = 0;

	if (clen == 0)
		return;
	if (slash != NULL) {
		size_t rest = n - clen - 1;
		audit = rest >= 6 && strncmp(slash + 1, "_Audit", 6) == 0 &&
		    (rest == 6 || slash[7] == '/' || slash[7] == '_');
	}
	if (clen >= 14 && strncmp(s, "ocid1.tenancy.", 14) == 0) {
		where = "tenancy";
		clen = 0;
	} else if (clen >= 6 && strncmp(s, "ocid1.", 6) == 0) {
		where = "compartment id ";
	} else {
		where = "compartment ";
	}
	add_statement(pc, "read log-content", where, s, clen);
	/* The Audit docs grant audit events with their own verb. */
	if (audit)
		add_statement(pc, "read audit-events", where, s, clen);
}

/* The IAM statements that grant reading the query's scopes, indented, into out. */
static void
policy_fix(struct probe *p, const struct conf_source *src, struct buf *out)
{
	struct policy_ctx pc;
	int ip = p->conf->oci.auth == CONF_AUTH_INSTANCE_PRINCIPAL;

	memset(&pc, 0, sizeof(pc));
	pc.out = out;
	pc.subject = ip ? "dynamic-group <your-dynamic-group>" : "group <your-group>";
	buf_init(&pc.seen, PROBE_TEXT_MAX);
	buf_printf(out, "OCI answers 404 NotAuthorizedOrNotFound both when a scope of the query "
	    "does not exist and when %s may not read it.  Check the OCIDs in the query, then "
	    "grant read access with an IAM policy (in the tenancy or a parent compartment):\n",
	    ip ? "this instance" : "the user");
	each_scope(src->query, policy_for_scope, &pc);
	if (pc.count == 0)
		buf_printf(out, "    Allow %s to read log-content in compartment "
		    "<name-or-ocid>\n", pc.subject);
	if (ip)
		buf_printf(out, "  The dynamic group must match this instance, e.g. matching rule "
		    "ALL {instance.compartment.id = '<its compartment ocid>'}.\n");
	else
		buf_printf(out, "  The user of %s must be a member of <your-group>.\n",
		    p->oci ? oci_client_describe(p->oci) : "the API key");
	buf_printf(out, "  IAM changes can take a few minutes to apply.");
	buf_cleanup(&pc.seen);
}

/* The source's query with a filter excluding the own addresses seen, into out. */
static void
exclusion_query(const struct item *it, struct buf *out)
{
	const char *q = it->src->query;
	size_t cut = first_pipe(q), i, end = cut;

	while (end > 0 && (q[end - 1] == ' ' || q[end - 1] == '\t'))
		end--;
	buf_append(out, q, end);
	buf_append_str(out, " | where ");
	for (i = 0; i < it->n_own; i++)
		buf_printf(out, "%snot (data.sourceAddress = '%s') and "
		    "not (data.destinationAddress = '%s')", i ? " and " : "",
		    it->own[i].text, it->own[i].text);
	if (q[cut] == '|')
		buf_printf(out, " %s", q + cut);
}

/* ---------------------------------------------------------------- sources */

/* 1 when s is one of this host's addresses (remembered for the query filter). */
static int
note_own(struct item *it, struct ev_str s)
{
	struct netaddr a;
	size_t i;

	if (s.p == NULL || !netaddr_set_match(it->p->local, s.p, s.len, &a))
		return 0;
	for (i = 0; i < it->n_own; i++)
		if (netaddr_equal(&it->own[i].a, &a))
			return 1;
	if (it->n_own == PROBE_OWN_MAX || s.len >= sizeof(it->own[0].text))
		return 1;
	it->own[it->n_own].a = a;
	memcpy(it->own[it->n_own].text, s.p, s.len);
	it->own[it->n_own].text[s.len] = '\0';
	it->n_own++;
	return 1;
}

static void
check_records(struct item *it, const struct search_page *pg)
{
	size_t i;

	if (it->p->norm == NULL)
		return;
	for (i = 0; i < pg->n; i++) {
		const struct event *ev;
		struct normalize_err nerr;
		int src_own, dst_own;

		if (normalize_record(it->p->norm, pg->records[i].json, pg->records[i].len, &ev,
			&nerr) != 0)
			continue;
		if (ev->time_ns / 1000000 > it->newest_ms)
			it->newest_ms = ev->time_ns / 1000000;
		if (ev->kind != EVENT_FLOW || it->p->local == NULL)
			continue;
		it->flow_records++;
		src_own = note_own(it, ev->src_addr);
		dst_own = note_own(it, ev->dst_addr);
		if (src_own || dst_own)
			it->own_records++;
	}
}

static void
window_text(const struct item *it, struct buf *b)
{
	char a[40], z[40];

	buf_printf(b, "[%s, %s)", conf_format_rfc3339(it->start_ms, a, sizeof(a)),
	    conf_format_rfc3339(it->end_ms, z, sizeof(z)));
}

/* A query of the kind the shipped audit example once had: it matches no audit record. */
static int
filters_audit_type(const char *q)
{
	return strstr(q, "com.oraclecloud.audit") != NULL;
}

/* WARN: nothing in the sampled hour; say why that matters and what to check. */
static void
source_empty(struct item *it)
{
	buf_append_str(&it->fix, "No record in ");
	window_text(it, &it->fix);
	buf_printf(&it->fix, " (the hour before now - lag) matched the query of [source %s].  "
	    "A query that matches nothing is the likeliest silent failure: the daemon runs, "
	    "healthy, and forwards nothing.  Check the scopes (compartment, log group and log "
	    "OCIDs) and any where clause, e.g. in the Console's Logging Search:\n"
	    "    query = %s\n  If the log is only quiet, ignore this.", it->name,
	    it->src->query);
	if (filters_audit_type(it->src->query))
		buf_append_str(&it->fix, "\n  Audit record types are com.oraclecloud.<service>."
		    "<Operation> (e.g. com.oraclecloud.ComputeApi.GetInstance), never "
		    "com.oraclecloud.audit.*: the _Audit scope alone selects audit records, so "
		    "drop that where clause.");
	finish(it, ST_WARN);
}

/* OK, or WARN for an empty sample or a feedback loop, once the sample is in. */
static void
source_ok(struct item *it, int more)
{
	uint64_t records = it->records;
	size_t i;

	buf_printf(&it->detail, "%s%llu record%s in ", more ? "at least " : "",
	    (unsigned long long)records, records == 1 ? "" : "s");
	window_text(it, &it->detail);
	if (more) {
		char t[40];

		/* The sample stopped early: say how far into the window it got. */
		buf_printf(&it->detail, " (sampled the first %u pages", it->pages);
		if (it->newest_ms > 0)
			buf_printf(&it->detail, ", up to %s", conf_format_rfc3339(it->newest_ms,
			    t, sizeof(t)));
		buf_append_str(&it->detail, ")");
	}
	if (it->flow_records > 0)
		buf_printf(&it->detail, ", of which %llu flow", (unsigned long long)it->flow_records);
	if (records == 0) {
		source_empty(it);
		return;
	}
	if (it->own_records == 0) {
		finish(it, ST_OK);
		return;
	}
	buf_printf(&it->detail, "; %llu flow record%s involve this host (",
	    (unsigned long long)it->own_records, it->own_records == 1 ? "" : "s");
	for (i = 0; i < it->n_own; i++)
		buf_printf(&it->detail, "%s%s", i ? ", " : "", it->own[i].text);
	buf_append_str(&it->detail, ")");
	buf_printf(&it->fix, "Feedback loop: this source's flow log records this host's own "
	    "traffic.  Every request the daemon sends (to OCI and to the sinks) makes new flow "
	    "records, which it then forwards, which makes more.  Exclude this host's "
	    "address%s in the query:\n    query = ", it->n_own == 1 ? "" : "es");
	exclusion_query(it, &it->fix);
	buf_append_str(&it->fix, "\n  (see README.md, section \"Feedback loops\")");
	finish(it, ST_WARN);
}

static size_t
on_page(void *arg, const struct search_page *pg)
{
	struct item *it = arg;

	check_records(it, pg);
	it->records += pg->n;
	if (++it->pages < PROBE_MAX_PAGES)
		return pg->n;
	/* Enough to judge: stop here rather than page through a busy hour. */
	search_cancel(it->search);
	it->search = NULL;
	source_ok(it, pg->n >= PROBE_LIMIT);
	return pg->n;
}

/* Every answer, retries included: what a search that never finishes was told. */
static void
on_response(void *arg, long http_status)
{
	struct item *it = arg;

	it->last_status = http_status;
	it->responses++;
}

static void
auth_fix(struct item *it, const struct search_result *r)
{
	struct probe *p = it->p;
	const struct conf_oci *o = &p->conf->oci;

	if (r->http_status == 0 && o->auth == CONF_AUTH_INSTANCE_PRINCIPAL) {
		buf_printf(&it->fix, "Instance principal credentials could not be obtained.  "
		    "auth = instance_principal works only on an OCI compute instance that can "
		    "reach the instance metadata service (169.254.169.254) and the federation "
		    "endpoint; elsewhere use auth = api_key with an OCI config file.");
		return;
	}
	if (o->auth == CONF_AUTH_INSTANCE_PRINCIPAL) {
		buf_printf(&it->fix, "OCI refused the instance principal token.  Check this "
		    "host's clock (timedatectl; OCI rejects requests whose Date is off by more "
		    "than a few minutes) and that the instance still exists in its compartment.");
		return;
	}
	if (p->oci != NULL && oci_client_token_based(p->oci)) {
		buf_printf(&it->fix, "OCI refused the session token of profile [%s] in %s: it "
		    "has probably expired (oci session refresh / oci session authenticate).  "
		    "Also check this host's clock (timedatectl).", o->profile ? o->profile :
		    "DEFAULT", o->config_file ? o->config_file : "~/.oci/config");
		return;
	}
	buf_printf(&it->fix, "OCI refused the request signature.  In %s, profile [%s], check:\n"
	    "    user        is the OCID of the user the API key was added to;\n"
	    "    fingerprint is that API key's fingerprint as the Console shows it\n"
	    "                (openssl rsa -pubout -outform DER -in KEY_FILE | openssl md5 -c);\n"
	    "    key_file    is the private half of that API key;\n"
	    "    tenancy     is the tenancy OCID;\n"
	    "  and that this host's clock is right (timedatectl): OCI rejects requests whose "
	    "Date is off by more than a few minutes.",
	    o->config_file ? o->config_file : "~/.oci/config", o->profile ? o->profile :
	    "DEFAULT");
}

static void
on_search_done(void *arg, const struct search_result *r)
{
	struct item *it = arg;
	struct probe *p = it->p;
	const char *endpoint = endpoint_shown(p);

	it->search = NULL; /* freed by search.c after this returns */
	if (r->status == SEARCH_OK) {
		/* Every page of the window read (none at all when it is empty). */
		source_ok(it, 0);
		return;
	}
	if (r->http_status != 0)
		buf_printf(&it->detail, "HTTP %ld", r->http_status);
	if (r->code != NULL)
		buf_printf(&it->detail, "%s%s", it->detail.len ? " " : "", r->code);
	if (r->message != NULL)
		buf_printf(&it->detail, "%s%s", it->detail.len ? ": " : "", r->message);
	if (r->request_id != NULL)
		buf_printf(&it->detail, " (opc-request-id %s)", r->request_id);
	if (r->status == SEARCH_CANCELLED && it->detail.len == 0)
		buf_append_str(&it->detail, "cancelled");

	switch (r->status) {
	case SEARCH_AUTH:
		auth_fix(it, r);
		break;
	case SEARCH_NOT_FOUND:
		if (r->code != NULL && strcmp(r->code, "NotAuthorizedOrNotFound") != 0)
			buf_printf(&it->fix, "OCI does not know this path: check [oci] endpoint / "
			    "region (the Logging Search endpoint is "
			    "https://logging.<region>.oci.<realm domain>, now %s).",
			    endpoint ? endpoint : "unknown");
		else
			policy_fix(p, it->src, &it->fix);
		break;
	case SEARCH_BAD_QUERY:
		buf_printf(&it->fix, "OCI rejected the query of [source %s]: it is not valid "
		    "Logging query language (or names a compartment that does not exist):\n"
		    "    query = %s\n  Try it in the Console's Logging Search (advanced mode) "
		    "and fix it in %s.", it->name, it->src->query, p->conf->path ?
		    p->conf->path : "the configuration");
		break;
	case SEARCH_TOO_BIG:
	case SEARCH_FAILED:
		if (r->http_status == 0)
			buf_printf(&it->fix, "No answer from %s: check that this host can reach "
			    "it (DNS, firewall, a route to the Oracle Services Network or the "
			    "internet; a proxy is taken from https_proxy/no_proxy), and [oci] "
			    "region / endpoint.", endpoint ? endpoint : "the OCI endpoint");
		else if (r->http_status >= 500)
			buf_printf(&it->fix, "OCI answered with a server error twice in a row; "
			    "it is usually transient: run --probe again later.  Keep the "
			    "opc-request-id for an Oracle support request if it persists.");
		else
			buf_printf(&it->fix, "Unexpected answer from %s: is [oci] endpoint the "
			    "Logging Search endpoint (https://logging.<region>.oci.<realm "
			    "domain>)?", endpoint ? endpoint : "the OCI endpoint");
		break;
	case SEARCH_CANCELLED:
	case SEARCH_OK:
		break;
	}
	finish(it, ST_FAILED);
}

static void
start_source(struct item *it)
{
	struct probe *p = it->p;
	struct search_opts so;
	struct search_callbacks cb;
	int64_t now = timeutil_now_ms();

	/* The hour that ends where the daemon's newest window ends (now - lag). */
	it->end_ms = now - it->src->lag_ms;
	it->start_ms = it->end_ms - PROBE_WINDOW_MS;
	search_opts_default(&so);
	so.limit = PROBE_LIMIT;
	so.timeout_ms = PROBE_SEARCH_TIMEOUT_MS;
	so.retry_initial_ms = 200;
	so.retry_max_ms = 1000;
	so.max_transient_retries = 1;
	so.max_attempts = 2; /* a probe answers; the daemon's search retries for ever */
	/* Not one page more than it reads: fetch ahead would ask OCI for a sixth. */
	so.sample_pages = PROBE_MAX_PAGES;
	so.source_name = it->name;
	memset(&cb, 0, sizeof(cb));
	cb.page = on_page;
	cb.done = on_search_done;
	cb.response = on_response;
	cb.arg = it;
	p->pending++;
	it->search = search_start(p->oci, it->src->query, it->start_ms, it->end_ms, &so, &cb);
	if (it->search == NULL) {
		buf_append_str(&it->detail, "cannot start the search (out of memory)");
		finish(it, ST_FAILED);
	}
}

/* ---------------------------------------------------------------- sinks */

/* Adds the request header name_colon + value (copied); the add() of sink_probe_request. */
static int
add_hdr(void *arg, const char *name_colon, const char *value)
{
	struct item *it = arg;
	struct buf h;

	if (it->n_hdr == PROBE_SINK_HEADERS_MAX)
		return -1;
	buf_init(&h, 16384);
	if (buf_printf(&h, "%s%s", name_colon, value) != 0) {
		buf_cleanup(&h);
		return -1;
	}
	it->hdr[it->n_hdr++] = buf_steal(&h, NULL);
	return 0;
}

/* Overwrites every occurrence of secret (when at least 4 bytes) in s[0..n) with '*'. */
static void
scrub(char *s, size_t n, const char *secret)
{
	size_t l = secret != NULL ? strlen(secret) : 0, i;

	if (l < 4)
		return;
	for (i = 0; i + l <= n; i++)
		if (memcmp(s + i, secret, l) == 0)
			memset(s + i, '*', l);
}

/*
 * A short, single-line excerpt of a response body, with every credential the probe sent
 * (header values, and their last word: the token of "Basic xyz") and the sink's own
 * secrets masked: a server that echoes the request must not put them on the screen.
 */
static void
body_excerpt(struct buf *b, const struct item *it, const struct http_response *r)
{
	const struct conf_sink *k = it->snk;
	size_t i, j, n = r->body_len < 160 ? r->body_len : 160;
	size_t m = r->body_len < 160 + 16384 ? r->body_len : 160 + 16384;
	char *copy;

	if (n == 0)
		return;
	/* Masked over more than the excerpt, so that a secret cut by it is masked too. */
	copy = malloc(m);
	if (copy == NULL)
		return;
	memcpy(copy, r->body, m);
	for (i = 0; i < it->n_hdr; i++) {
		const char *v = strchr(it->hdr[i], ':');
		const char *w;

		if (v == NULL)
			continue;
		while (*++v == ' ')
			;
		scrub(copy, m, v);
		if ((w = strrchr(v, ' ')) != NULL)
			scrub(copy, m, w + 1);
	}
	scrub(copy, m, k->password);
	scrub(copy, m, k->token);
	scrub(copy, m, k->api_key);
	buf_append_str(b, ": ");
	for (j = 0; j < n; j++) {
		unsigned char c = (unsigned char)copy[j];
		buf_append_char(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
	if (n < r->body_len)
		buf_append_str(b, "...");
	free(copy);
}

/* The probe's status for a sink type's verdict. */
static enum status
st_of(enum sink_probe_verdict v)
{
	switch (v) {
	case SINK_PROBE_OK: return ST_OK;
	case SINK_PROBE_WARN: return ST_WARN;
	case SINK_PROBE_SKIPPED: return ST_SKIPPED;
	case SINK_PROBE_FAILED:
	case SINK_PROBE_GENERIC:
		break;
	}
	return ST_FAILED;
}

static void
on_sink_done(void *arg, const struct http_response *r)
{
	struct item *it = arg;
	const struct conf_sink *k = it->snk;
	enum sink_probe_verdict v;

	it->xfer = NULL;
	if (!r->ok) {
		if (r->timed_out)
			buf_printf(&it->detail, "no answer from %s within %.0f s", url_shown(it),
			    r->seconds);
		else
			buf_printf(&it->detail, "%s: %s", url_shown(it), r->error ? r->error :
			    "no response");
		buf_printf(&it->fix, "Cannot reach %s: check url%s, that the service is up, and "
		    "that this host may connect to it (DNS, firewall; a proxy is taken from "
		    "https_proxy/no_proxy)%s.", url_shown(it),
		    sink_type_uses_key(k->type, "site") ? " / site" : "",
		    k->tls_verify && strncmp(it->url, "https:", 6) == 0 ?
		    "; for a private CA set tls_ca_file" : "");
		finish(it, ST_FAILED);
		return;
	}
	buf_printf(&it->detail, "HTTP %ld from %s", r->status, url_shown(it));
	if (r->status >= 200 && r->status < 300) {
		v = sink_probe_answer(k, r->status, r->body, r->body_len, &it->detail, &it->fix);
		finish(it, v == SINK_PROBE_GENERIC ? ST_OK : st_of(v));
		return;
	}
	body_excerpt(&it->detail, it, r);
	v = sink_probe_answer(k, r->status, r->body, r->body_len, &it->detail, &it->fix);
	if (v != SINK_PROBE_GENERIC) {
		finish(it, st_of(v));
		return;
	}
	if (r->status == 407)
		buf_printf(&it->fix, "The proxy wants credentials (HTTP 407): put them "
		    "in https_proxy (http://user:pass@proxy:port).");
	else if (r->status == 404)
		buf_printf(&it->fix, "Nothing answers at %s: check url (the base URL of the "
		    "service; the API path is added).", url_shown(it));
	else if (r->status != 401 && r->status != 403)
		buf_printf(&it->fix, "Unexpected answer from %s: check url.", url_shown(it));
	finish(it, ST_FAILED);
}

static void
start_sink(struct item *it)
{
	struct probe *p = it->p;
	const struct conf_sink *k = it->snk;
	struct http_request req;
	struct buf url;
	int rc;

	p->pending++;
	buf_init(&url, 8192);
	rc = sink_probe_request(k, &url, add_hdr, it);
	if (rc == 1) {
		buf_cleanup(&url);
		finish(it, st_of(sink_probe_local(k, &it->detail, &it->fix)));
		return;
	}
	if (p->http == NULL || rc != 0) {
		buf_cleanup(&url);
		buf_append_str(&it->detail, "cannot build the request (out of memory, or url "
		    "too long)");
		finish(it, ST_FAILED);
		return;
	}
	it->url = buf_steal(&url, NULL);
	it->url_shown = conf_mask_url(it->url);
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = it->url;
	req.headers = (const char *const *)it->hdr;
	req.n_headers = it->n_hdr;
	req.timeout_ms = k->timeout_ms > 0 && k->timeout_ms < PROBE_SINK_TIMEOUT_MS ?
	    k->timeout_ms : PROBE_SINK_TIMEOUT_MS;
	req.tls_verify = k->tls_verify;
	req.tls_ca_file = k->tls_ca_file;
	req.max_response = 64 * 1024;
	it->xfer = http_submit(p->http, &req, on_sink_done, it);
	if (it->xfer == NULL) {
		buf_printf(&it->detail, "cannot start the request to %s", url_shown(it));
		finish(it, ST_FAILED);
	}
}

/* ---------------------------------------------------------------- the run */

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;
	size_t i;

	for (i = 0; i < p->n; i++) {
		struct item *it = &p->items[i];

		if (it->st != ST_PENDING)
			continue;
		if (it->search != NULL) {
			search_cancel(it->search);
			it->search = NULL;
		}
		if (it->xfer != NULL) {
			http_cancel(it->xfer);
			it->xfer = NULL;
		}
		buf_printf(&it->detail, "no result within %d s", PROBE_DEADLINE_MS / 1000);
		if (it->src != NULL && it->responses == 0)
			buf_printf(&it->detail, ": no answer yet (credentials still being "
			    "fetched?)");
		else if (it->src != NULL && it->last_status == 429)
			buf_printf(&it->detail, ": OCI kept answering 429 TooManyRequests "
			    "(%u answers)", it->responses);
		else if (it->src != NULL && it->last_status == 0)
			buf_printf(&it->detail, ": still retrying after %u answers, the last "
			    "a connection error or timeout", it->responses);
		else if (it->src != NULL)
			buf_printf(&it->detail, ": still retrying after %u answers, the last "
			    "HTTP %ld", it->responses, it->last_status);
		if (it->src != NULL && it->last_status == 429)
			buf_printf(&it->fix, "The tenancy is being rate limited by OCI (other "
			    "clients, or many sources polling at once).  The daemon waits and "
			    "retries; run --probe again later, and consider a longer interval.");
		else
			buf_printf(&it->fix, "Run --probe again; with --log-level debug the "
			    "retries are logged.");
		finish(it, ST_FAILED);
	}
	event_base_loopexit(p->base, NULL);
}

static void
print_fix(FILE *out, const struct item *it)
{
	const char *s = text(&it->fix);

	fprintf(out, "\n[%s %s] %s\n  ", it->kind, it->name, status_name(it->st));
	for (; *s != '\0'; s++) {
		fputc(*s, out);
		if (*s == '\n' && s[1] != '\0' && s[1] != ' ')
			fputs("  ", out);
	}
	fputc('\n', out);
}

static int
report(struct probe *p, FILE *out)
{
	size_t i, wk = 4, wn = 4, ws = 6, failed = 0, warned = 0, fixes = 0;

	for (i = 0; i < p->n; i++) {
		const struct item *it = &p->items[i];
		size_t l = strlen(status_name(it->st));
		if (strlen(it->kind) > wk)
			wk = strlen(it->kind);
		if (strlen(it->name) > wn)
			wn = strlen(it->name);
		if (l > ws)
			ws = l;
	}
	fprintf(out, "%-*s  %-*s  %-*s  %s\n", (int)wk, "KIND", (int)wn, "NAME", (int)ws,
	    "STATUS", "DETAIL");
	for (i = 0; i < p->n; i++) {
		const struct item *it = &p->items[i];
		fprintf(out, "%-*s  %-*s  %-*s  %s\n", (int)wk, it->kind, (int)wn, it->name,
		    (int)ws, status_name(it->st), text(&it->detail));
		failed += it->st == ST_FAILED || it->st == ST_PENDING;
		warned += it->st == ST_WARN;
		fixes += it->fix.len > 0;
	}
	if (fixes > 0) {
		fprintf(out, "\nFixes and warnings:\n");
		for (i = 0; i < p->n; i++)
			if (p->items[i].fix.len > 0)
				print_fix(out, &p->items[i]);
	}
	fprintf(out, "\n%zu of %zu checks failed%s%zu warning%s.\n", failed, p->n,
	    failed ? "; " : " (all work); ", warned, warned == 1 ? "" : "s");
	fflush(out);
	return failed ? PROBE_UNAVAILABLE : 0;
}

static void
print_header(struct probe *p, FILE *out)
{
	size_t i, n = 0;
	char t[64];

	fprintf(out, "oci-logfwd --probe: %s\n", p->conf->path ? p->conf->path : "(config)");
	if (p->oci != NULL) {
		const char *ep = oci_client_endpoint(p->oci);
		fprintf(out, "OCI: %s, endpoint %s\n", oci_client_describe(p->oci),
		    ep == NULL ? "(from instance metadata)" : endpoint_shown(p) ?
		    endpoint_shown(p) : "(not shown: out of memory)");
		fprintf(out, "Sources: each query is sampled over the hour before now - lag "
		    "(at most %d pages of %d records)\n", PROBE_MAX_PAGES, PROBE_LIMIT);
	}
	if (p->local != NULL) {
		fprintf(out, "This host's addresses (for the feedback-loop check):");
		for (i = 0; i < netaddr_set_count(p->local); i++) {
			const struct netaddr *a = netaddr_set_get(p->local, i);
			if (netaddr_is_loopback(a))
				continue;
			fprintf(out, " %s", netaddr_format(a, t, sizeof(t)));
			n++;
		}
		fprintf(out, "%s\n", n ? "" : " (loopback only)");
	}
	fputc('\n', out);
}

int
probe_run(struct event_base *base, const struct conf *conf, FILE *out)
{
	struct probe p;
	struct oci_err oerr;
	struct netaddr_err nerr;
	size_t i, j;
	int rc = PROBE_UNAVAILABLE;

	memset(&p, 0, sizeof(p));
	memset(&oerr, 0, sizeof(oerr));
	p.base = base;
	p.conf = conf;
	p.n = conf->n_sources + conf->n_sinks;
	p.items = calloc(p.n ? p.n : 1, sizeof(*p.items));
	p.http = http_new(base);
	p.norm = normalizer_new();
	p.local = netaddr_set_new();
	p.deadline = evtimer_new(base, on_deadline, &p);
	if (p.items == NULL || p.http == NULL || p.norm == NULL || p.local == NULL ||
	    p.deadline == NULL) {
		fprintf(out, "oci-logfwd --probe: cannot start (out of memory)\n");
		goto out;
	}
	if (netaddr_set_add_local(p.local, &nerr) != 0) {
		/* Without them only the feedback check is lost. */
		fprintf(out, "warning: this host's addresses are unknown (%s): the feedback-loop "
		    "check is off\n", nerr.msg);
		netaddr_set_free(p.local);
		p.local = NULL;
	}
	for (i = 0; i < conf->n_sources; i++) {
		/* Streaming sources need no OCI client (source_kafka.h probes them). */
		if (conf->sources[i].type == CONF_SOURCE_SEARCH) {
			p.oci = oci_client_new(base, p.http, &conf->oci, &oerr);
			break;
		}
	}
	print_header(&p, out);

	for (i = 0, j = 0; i < conf->n_sources; i++, j++) {
		struct item *it = &p.items[j];
		it->p = &p;
		it->kind = "source";
		it->name = conf->sources[i].name;
		it->src = &conf->sources[i];
	}
	for (i = 0; i < conf->n_sinks; i++, j++) {
		struct item *it = &p.items[j];
		it->p = &p;
		it->kind = "sink";
		it->name = conf->sinks[i].name;
		it->snk = &conf->sinks[i];
	}
	for (i = 0; i < p.n; i++) {
		buf_init(&p.items[i].detail, PROBE_TEXT_MAX);
		buf_init(&p.items[i].fix, PROBE_TEXT_MAX);
	}
	for (i = 0; i < p.n; i++) {
		struct item *it = &p.items[i];

		if (it->src == NULL) {
			start_sink(it);
			continue;
		}
		if (it->src->type == CONF_SOURCE_STREAMING) {
			p.pending++;
			finish(it, ksource_probe(it->src, 10000, &it->detail, &it->fix) == 0 ?
			    ST_OK : ST_FAILED);
			continue;
		}
		if (p.oci != NULL) {
			start_source(it);
			continue;
		}
		p.pending++;
		buf_printf(&it->detail, "OCI client: %s", oerr.msg);
		buf_printf(&it->fix, "Fix [oci] in %s (auth, config_file, profile, region) or "
		    "the OCI config file it names, as the message says.",
		    conf->path ? conf->path : "the configuration");
		finish(it, ST_FAILED);
	}
	if (p.pending > 0) {
		struct timeval tv = { PROBE_DEADLINE_MS / 1000, (PROBE_DEADLINE_MS % 1000) * 1000 };
		evtimer_add(p.deadline, &tv);
		p.running = 1;
		event_base_dispatch(base);
		p.running = 0;
		evtimer_del(p.deadline);
	}
	rc = report(&p, out);
out:
	if (p.items != NULL) {
		for (i = 0; i < p.n; i++) {
			struct item *it = &p.items[i];
			if (it->search != NULL)
				search_cancel(it->search);
			if (it->xfer != NULL)
				http_cancel(it->xfer);
			for (j = 0; j < it->n_hdr; j++) {
				OPENSSL_cleanse(it->hdr[j], strlen(it->hdr[j]));
				free(it->hdr[j]);
			}
			free(it->url);
			free(it->url_shown);
			buf_cleanup(&it->detail);
			buf_cleanup(&it->fix);
		}
		free(p.items);
	}
	if (p.deadline != NULL)
		event_free(p.deadline);
	free(p.endpoint_shown);
	oci_client_free(p.oci);
	http_free(p.http);
	normalizer_free(p.norm);
	netaddr_set_free(p.local);
	return rc;
}
