/*
 * gen.c — the simulator's record stream.
 *
 * Record k (k = 0, 1, ... from the epoch) has datetime floor(k * 1000 * den / num) ms:
 * a fixed-rate stream anchored at 1970, so any window of any search maps to an index
 * range and every record is a pure function of (seed, k) — its time included.  That is
 * what lets `ocisim --dump` print exactly what a search returns, and a test check
 * delivery record by record.
 *
 * Shapes follow tests/data/samples (keys in the same, alphabetical, order).  As in real
 * OCI, flow-log ids are not unique: 1 flow record in 20 reuses the id of the previous
 * flow record while its contents differ.
 */
#include "hash.h"
#include "ocisim.h"
#include "timeutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct frec {
	int64_t datetime;
	char *json; /* the data object, compact */
	size_t len;
	size_t seq; /* file order, to keep the sort stable */
};

struct gen_file {
	struct frec *recs;
	size_t n;
};

static uint64_t
h(const struct gen *g, uint64_t k, uint64_t salt)
{
	return hash_mix64(g->seed * 0x100000001B3ULL ^ hash_mix64(k ^ (salt * 0xD6E8FEB86659FD93ULL)));
}

static int64_t
rec_time(const struct gen *g, uint64_t k)
{
	unsigned __int128 t = (unsigned __int128)k * 1000u * g->rate_den / g->rate_num;

	return (int64_t)t;
}

/* Smallest k with rec_time(k) >= ms (ms >= 0). */
static uint64_t
first_at(const struct gen *g, int64_t ms)
{
	unsigned __int128 num;

	if (ms <= 0)
		return 0;
	num = (unsigned __int128)(uint64_t)ms * g->rate_num;
	return (uint64_t)((num + 1000u * g->rate_den - 1) / (1000u * g->rate_den));
}

static size_t
file_first_at(const struct gen_file *f, int64_t ms)
{
	size_t lo = 0, hi = f->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->recs[mid].datetime < ms)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
gen_range(const struct gen *g, int64_t start_ms, int64_t end_ms, uint64_t *kmin,
    uint64_t *kmax)
{
	if (end_ms < start_ms)
		end_ms = start_ms;
	if (g->file != NULL) {
		*kmin = file_first_at(g->file, start_ms);
		*kmax = file_first_at(g->file, end_ms);
		return;
	}
	*kmin = first_at(g, start_ms);
	*kmax = first_at(g, end_ms);
}

int
parse_time(const char *s, int64_t *ms)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	v = strtoll(s, &end, 10);
	if (*end == '\0') {
		*ms = v;
		return 0;
	}
	return timeutil_parse_rfc3339_ms(s, ms);
}

static int
is_flow(const struct gen *g, uint64_t k)
{
	return (double)(h(g, k, 1) % 10000) < g->flow_share * 10000.0;
}

/*
 * A record is written piece by piece, without printf: the benchmark asks ocisim for a
 * million records a run, and glibc's vsnprintf (buf_printf measures, then prints) cost
 * ~4 us a record, more than the daemon's whole work on it.  The first failed append
 * (no memory) sets err and makes the rest no-ops; the caller checks err once.
 */
struct w {
	struct buf *b;
	int err;
};

static void
w_mem(struct w *w, const char *s, size_t n)
{
	if (w->err == 0 && buf_append(w->b, s, n) != 0)
		w->err = 1;
}

#define W_LIT(w, lit) w_mem((w), (lit), sizeof(lit) - 1)

static void
w_str(struct w *w, const char *s)
{
	w_mem(w, s, strlen(s));
}

/* Writes v in decimal at o; returns the end. */
static char *
put_dec(char *o, unsigned long long v)
{
	char t[24];
	int i = (int)sizeof(t);

	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	memcpy(o, t + i, sizeof(t) - (size_t)i);
	return o + (sizeof(t) - (size_t)i);
}

/* %lld */
static void
w_int(struct w *w, long long v)
{
	char t[24], *o = t;

	if (v < 0)
		*o++ = '-';
	o = put_dec(o, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v);
	w_mem(w, t, (size_t)(o - t));
}

/* Lower-case hex of v's low n digits, zero-padded (%0Nx); n <= 16. */
static void
hexfix(uint64_t v, int n, char *out)
{
	static const char x[] = "0123456789abcdef";
	int i;

	for (i = n - 1; i >= 0; i--, v >>= 4)
		out[i] = x[v & 15];
	out[n] = '\0';
}

/* %x (lower-case hex without leading zeros) at o; returns the end. */
static char *
put_hexmin(char *o, uint64_t v)
{
	int n = 1;

	while (n < 16 && (v >> (4 * n)) != 0)
		n++;
	hexfix(v, n, o);
	return o + n;
}

static void
w_time(struct w *w, int64_t ms)
{
	char ts[32];

	timeutil_format_rfc3339(ms, TIMEUTIL_MS, ts);
	w_str(w, ts);
}

static void
hex8(uint64_t v, char out[9])
{
	hexfix(v & 0xffffffffu, 8, out);
}

/* The flow id a flow record would carry on its own. */
static void
own_flow_id(const struct gen *g, uint64_t k, char out[9])
{
	hex8(h(g, k, 4), out);
}

static void
hexn(uint64_t a, uint64_t b, int n, char *out)
{
	static const char x[] = "0123456789ABCDEF";
	int i;

	for (i = 0; i < n; i++) {
		uint64_t v = i < 16 ? a : b;
		out[i] = x[(v >> ((i % 16) * 4)) & 15];
	}
	out[n] = '\0';
}

static void
b32ish(uint64_t v, int n, char *out)
{
	static const char a[] = "abcdefghijklmnopqrstuvwxyz234567";
	int i;

	for (i = 0; i < n; i++) {
		out[i] = a[v & 31];
		v = hash_mix64(v + (uint64_t)i);
	}
	out[n] = '\0';
}

static const char *const vnics[4][3] = {
	{ "ocid1.vnic.oc1.iad.abuwcljt7r3zq2xmw5kb4nc6jd2lt5hy7vo3fe4pa6gs2iu5wkqxn3ic",
	    "10.0.1.15", "ocid1.subnet.oc1.iad.aaaaaaaa5m2qz7xkw3bn4cr6jt2dl5hy3vo7fe4pa6gs2ui5wqkxnb" },
	{ "ocid1.vnic.oc1.iad.abuwcljtq2k7zx3mwb5nc4rj6dt2lh5yv7of3ep4as6gu2iwkqxna",
	    "10.0.1.16", "ocid1.subnet.oc1.iad.aaaaaaaa5m2qz7xkw3bn4cr6jt2dl5hy3vo7fe4pa6gs2ui5wqkxnb" },
	{ "ocid1.vnic.oc1.iad.abuwcljtx3mwb5kq7z2nc4rj6dt2lh5yv7of3ep4as6gu2iwkqxnb",
	    "10.0.2.31", "ocid1.subnet.oc1.iad.aaaaaaaa7kq2zx3mwb5nc4rj6dt2lh5yv7of3ep4as6gu2iwqkc" },
	{ "ocid1.vnic.oc1.iad.abuwcljtb5nc4rj6dt2lhkq7zx3mw5yv7of3ep4as6gu2iwkqxnc",
	    "10.0.2.32", "ocid1.subnet.oc1.iad.aaaaaaaa7kq2zx3mwb5nc4rj6dt2lh5yv7of3ep4as6gu2iwqkc" },
};

#define FLOW_COMPARTMENT "ocid1.compartment.oc1..aaaaaaaa3nfz7b2ckq4wl6xdr5ty2mj7eo3ap6hs4gu5vi2zqbxwk3la"
#define AUDIT_COMPARTMENT "ocid1.compartment.oc1..aaaaaaaaq7k3m2xw5vdj4nlc6hr2t5yzb3fo7pe4gsu6ai2wqkx3rmna"
#define FLOW_LOGGROUP "ocid1.loggroup.oc1.iad.amaaaaaa4kq2zx7mwb3nc5rj6dt2lb4yvo7fe3pa5gs6ui2wqkxna"
#define FLOW_LOG "ocid1.log.oc1.iad.amaaaaaa7m2xw5vdj4nlc6hr2t5yzb3fo7pe4gsu6ai2wqkx3rmbkq4a"
#define VCN "ocid1.vcn.oc1.iad.amaaaaaa3q7zk2xmw5nb4cr6dj2tl5yh7vo3ef4ap6sg2ui5wkqxn3jd"

static int64_t
ingest_ms(const struct gen *g, uint64_t k, int flow, int64_t t)
{
	uint64_t j = h(g, k, 9);

	if (flow)
		return t + (g->flow_delay_ms >= 0 ? g->flow_delay_ms + (int64_t)(j % 1000) :
		    55000 + (int64_t)(j % 35000));
	return t + (g->audit_delay_ms >= 0 ? g->audit_delay_ms + (int64_t)(j % 1000) :
	    2000 + (int64_t)(j % 6000));
}

static int
gen_flow(const struct gen *g, uint64_t k, int64_t t, int64_t ing, struct buf *out)
{
	static const struct {
		int proto;
		const char *name;
		int port;
	} svc[] = { { 6, "TCP", 443 }, { 6, "TCP", 22 }, { 17, "UDP", 53 }, { 6, "TCP", 80 },
		{ 17, "UDP", 123 }, { 6, "TCP", 3389 }, { 1, "ICMP", 0 }, { 6, "TCP", 5432 } };
	char id[9], flowid[9];
	uint64_t r = h(g, k, 5), r2 = h(g, k, 6);
	int v = (int)(r % 4), s = (int)((r >> 8) % (sizeof(svc) / sizeof(svc[0])));
	int reject = (r >> 16) % 5 == 0, inbound = (r >> 20) % 2 == 0;
	int64_t start = t / 1000, end = start + 30 + (int64_t)((r >> 24) % 30);
	int nodata = h(g, k, 3) % 50 == 0;
	struct w w = { out, 0 };

	own_flow_id(g, k, flowid);
	memcpy(id, flowid, sizeof(id));
	if (h(g, k, 2) % 20 == 0) {
		uint64_t j;
		/* Reuse the previous flow record's id: distinct records, one id. */
		for (j = k; j > 0 && k - j < 1000; j--) {
			if (is_flow(g, j - 1)) {
				own_flow_id(g, j - 1, id);
				break;
			}
		}
	}
	W_LIT(&w, "{\"datetime\":");
	w_int(&w, t);
	W_LIT(&w, ",\"logContent\":{\"data\":{");
	if (nodata) {
		W_LIT(&w, "\"action\":null,\"bytesOut\":null,\"destinationAddress\":null,"
		    "\"destinationPort\":null,\"endTime\":");
		w_int(&w, end);
		W_LIT(&w, ",\"flowid\":null,\"packets\":null,\"protocol\":null,\"protocolName\":null,"
		    "\"sourceAddress\":null,\"sourcePort\":null,\"startTime\":");
		w_int(&w, start);
		W_LIT(&w, ",\"status\":\"NODATA\",\"version\":\"2\"}");
	} else {
		int sport = 1024 + (int)(r2 % 64000), dport = svc[s].port;
		long long packets = 1 + (long long)((r2 >> 16) % 200);
		long long bytes = packets * (40 + (long long)((r2 >> 32) % 1400));
		char srcmem[48], *o = srcmem;

		/* the remote address, used on the side the direction says */
		if ((r2 >> 40) % 4 == 0) {
			memcpy(o, "2001:db8:", 9);
			o = put_hexmin(o + 9, (r2 >> 44) & 0xfff);
			memcpy(o, "::", 2);
			o = put_hexmin(o + 2, (r2 >> 8) & 0xffff);
		} else {
			const char *net = (r2 >> 42) % 2 ? "198.51.100." : "203.0.113.";
			size_t nl = strlen(net);

			memcpy(o, net, nl);
			o = put_dec(o + nl, 1 + (r2 >> 48) % 254);
		}
		*o = '\0';
		if (svc[s].proto == 1)
			sport = 0;
		W_LIT(&w, "\"action\":\"");
		w_str(&w, reject ? "REJECT" : "ACCEPT");
		W_LIT(&w, "\",\"bytesOut\":");
		w_int(&w, bytes);
		W_LIT(&w, ",\"destinationAddress\":\"");
		w_str(&w, inbound ? vnics[v][1] : srcmem);
		W_LIT(&w, "\",\"destinationPort\":");
		w_int(&w, inbound ? dport : sport);
		W_LIT(&w, ",\"endTime\":");
		w_int(&w, end);
		W_LIT(&w, ",\"flowid\":\"");
		w_str(&w, flowid);
		W_LIT(&w, "\",\"packets\":");
		w_int(&w, packets);
		W_LIT(&w, ",\"protocol\":");
		w_int(&w, svc[s].proto);
		W_LIT(&w, ",\"protocolName\":\"");
		w_str(&w, svc[s].name);
		W_LIT(&w, "\",\"sourceAddress\":\"");
		w_str(&w, inbound ? srcmem : vnics[v][1]);
		W_LIT(&w, "\",\"sourcePort\":");
		w_int(&w, inbound ? sport : dport);
		W_LIT(&w, ",\"startTime\":");
		w_int(&w, start);
		W_LIT(&w, ",\"status\":\"OK\",\"version\":\"2\"}");
	}
	W_LIT(&w, ",\"id\":\"");
	w_str(&w, id);
	W_LIT(&w, "\",\"oracle\":{\"compartmentid\":\"" FLOW_COMPARTMENT "\",\"ingestedtime\":\"");
	w_time(&w, ing);
	W_LIT(&w, "\",\"loggroupid\":\"" FLOW_LOGGROUP "\",\"logid\":\"" FLOW_LOG
	    "\",\"tenantid\":\"");
	w_str(&w, g->tenancy);
	W_LIT(&w, "\",\"vcnOcid\":\"" VCN "\",\"vniccompartmentocid\":\"" AUDIT_COMPARTMENT
	    "\",\"vnicocid\":\"");
	w_str(&w, vnics[v][0]);
	W_LIT(&w, "\",\"vnicsubnetocid\":\"");
	w_str(&w, vnics[v][2]);
	W_LIT(&w, "\"},\"source\":\"-\",\"specversion\":\"1.0\",\"subject\":\"-\",\"time\":\"");
	w_time(&w, t);
	W_LIT(&w, "\",\"type\":\"");
	w_str(&w, nodata ? "com.oraclecloud.vcn.flowlogs.QualityEvent.NoData" :
	    "com.oraclecloud.vcn.flowlogs.DataEvent");
	W_LIT(&w, "\"}}");
	return w.err ? -1 : 0;
}

static int
gen_audit(const struct gen *g, uint64_t k, int64_t t, int64_t ing, struct buf *out)
{
	static const struct {
		const char *service, *event, *action, *path, *rtype;
	} ev[] = {
		{ "ComputeApi", "GetInstance", "GET", "/20160918/instances/", "instance" },
		{ "ComputeApi", "InstanceAction", "POST", "/20160918/instances/", "instance" },
		{ "objectstorage", "GetBucket", "GET", "/n/axaxnpcrorw5/b/", "bucket" },
		{ "objectstorage", "ListBuckets", "GET", "/n/axaxnpcrorw5/b", "bucket" },
		{ "virtualNetwork", "UpdateVnic", "PUT", "/20160918/vnics/", "vnic" },
		{ "identity", "ListUsers", "GET", "/20160918/users", "user" },
		{ "KeyManagementService", "GetVault", "GET", "/20180608/vaults/", "vault" },
		{ "bastion", "ListSessions", "GET", "/20210331/sessions", "session" },
	};
	static const char *const statuses[] = { "200", "200", "200", "200", "200", "204", "404",
		"409", "401", "200" };
	static const char *const principals[] = { "ops-automation", "jane.doe@example.com",
		"terraform-ci", "backup-svc" };
	char uuid[40], rid[100], user[40], res[40], resname[48];
	uint64_t r = h(g, k, 7), r2 = h(g, k, 8);
	int e = (int)(r % (sizeof(ev) / sizeof(ev[0])));
	int p = (int)((r >> 8) % 4);
	const char *status = statuses[(r >> 12) % 10];
	int ok = status[0] == '2', list = strncmp(ev[e].event, "List", 4) == 0;
	unsigned rn = (unsigned)((r >> 30) % 40);
	size_t tl;
	struct w w = { out, 0 };

	/* uuid: %08x-%04x-4%03x-%04x-%012llx */
	hexfix(r2 >> 32, 8, uuid);
	uuid[8] = '-';
	hexfix((r2 >> 16) & 0xffff, 4, uuid + 9);
	memcpy(uuid + 13, "-4", 2);
	hexfix(r2 & 0xfff, 3, uuid + 15);
	uuid[18] = '-';
	hexfix(0x8000u | ((r >> 20) & 0x3fff), 4, uuid + 19);
	uuid[23] = '-';
	hexfix(hash_mix64(r2) & 0xffffffffffffULL, 12, uuid + 24);
	hexn(r, r2, 32, rid);
	rid[32] = '/';
	hexn(r2, hash_mix64(r), 32, rid + 33);
	rid[65] = '/';
	hexn(hash_mix64(r2), r, 32, rid + 66);
	b32ish(r + (uint64_t)p, 32, user);
	b32ish(r2, 32, res);
	/* prod-<rtype>-%02d */
	tl = strlen(ev[e].rtype);
	memcpy(resname, "prod-", 5);
	memcpy(resname + 5, ev[e].rtype, tl);
	resname[5 + tl] = '-';
	resname[6 + tl] = (char)('0' + rn / 10);
	resname[7 + tl] = (char)('0' + rn % 10);
	resname[8 + tl] = '\0';

	W_LIT(&w, "{\"datetime\":");
	w_int(&w, t);
	W_LIT(&w, ",\"logContent\":{\"data\":{\"additionalDetails\":{},"
	    "\"availabilityDomain\":\"Uocm:US-ASHBURN-AD-");
	w_int(&w, 1 + (int)((r >> 40) % 3));
	W_LIT(&w, "\",\"compartmentId\":\"" AUDIT_COMPARTMENT "\",\"compartmentName\":\"prod-apps\","
	    "\"definedTags\":null,\"eventGroupingId\":\"");
	w_str(&w, rid);
	W_LIT(&w, "\",\"eventName\":\"");
	w_str(&w, ev[e].event);
	W_LIT(&w, "\",\"freeformTags\":null,\"identity\":{\"authType\":\"natv\",\"callerId\":null,"
	    "\"callerName\":null,\"consoleSessionId\":null,\"credentials\":\"");
	w_str(&w, g->tenancy);
	W_LIT(&w, "/ocid1.user.oc1..aaaaaaaa");
	w_str(&w, user);
	W_LIT(&w, "/3a:7f:c2:19:5e:d0:84:6b:a1:f3:22:9c:0e:47:b8:d5\",\"ipAddress\":\"203.0.113.");
	w_int(&w, (long long)(1 + (r2 >> 50) % 254));
	W_LIT(&w, "\",\"principalId\":\"ocid1.user.oc1..aaaaaaaa");
	w_str(&w, user);
	W_LIT(&w, "\",\"principalName\":\"");
	w_str(&w, principals[p]);
	W_LIT(&w, "\",\"tenantId\":\"");
	w_str(&w, g->tenancy);
	W_LIT(&w, "\",\"userAgent\":\"Oracle-PythonSDK/2.141.1 (python 3.11.8; x86_64-Linux) "
	    "Oracle-PythonCLI/3.49.0\"},\"message\":\"");
	w_str(&w, list ? ev[e].rtype : resname);
	W_LIT(&w, " ");
	w_str(&w, ev[e].event);
	W_LIT(&w, " ");
	w_str(&w, ok ? "succeeded" : "failed");
	W_LIT(&w, "\",\"request\":{\"action\":\"");
	w_str(&w, ev[e].action);
	W_LIT(&w, "\",\"headers\":{\"Accept\":[\"application/json\"],\"opc-request-id\":[\"");
	w_str(&w, rid);
	W_LIT(&w, "\"]},\"id\":\"");
	w_str(&w, rid);
	W_LIT(&w, "\",\"parameters\":{},\"path\":\"");
	w_str(&w, ev[e].path);
	w_str(&w, list ? "" : res);
	W_LIT(&w, "\"},\"resourceId\":");
	if (list) {
		W_LIT(&w, "null,\"resourceName\":null");
	} else {
		W_LIT(&w, "\"ocid1.");
		w_str(&w, ev[e].rtype);
		W_LIT(&w, ".oc1.iad.");
		w_str(&w, res);
		W_LIT(&w, "\",\"resourceName\":\"");
		w_str(&w, resname);
		W_LIT(&w, "\"");
	}
	W_LIT(&w, ",\"response\":{\"headers\":{\"Content-Type\":[\"application/json\"]},"
	    "\"message\":");
	if (ok)
		W_LIT(&w, "null");
	else
		W_LIT(&w, "\"The request failed; see the status.\"");
	W_LIT(&w, ",\"payload\":{},\"responseTime\":\"");
	w_time(&w, t + 30 + (int64_t)(r % 900));
	W_LIT(&w, "\",\"status\":\"");
	w_str(&w, status);
	W_LIT(&w, "\"},\"stateChange\":{\"current\":null,\"previous\":null}},\"dataschema\":\"2.0\","
	    "\"id\":\"");
	w_str(&w, uuid);
	W_LIT(&w, "\",\"oracle\":{\"compartmentid\":\"" AUDIT_COMPARTMENT "\",\"ingestedtime\":\"");
	w_time(&w, ing);
	W_LIT(&w, "\",\"loggroupid\":\"_Audit\",\"tenantid\":\"");
	w_str(&w, g->tenancy);
	W_LIT(&w, "\"},\"source\":\"");
	w_str(&w, list ? "" : resname);
	W_LIT(&w, "\",\"specversion\":\"1.0\",\"time\":\"");
	w_time(&w, t);
	W_LIT(&w, "\",\"type\":\"com.oraclecloud.");
	w_str(&w, ev[e].service);
	W_LIT(&w, ".");
	w_str(&w, ev[e].event);
	W_LIT(&w, "\"}}");
	return w.err ? -1 : 0;
}

int
gen_record(const struct gen *g, uint64_t k, unsigned kinds, int64_t now_ms,
    struct buf *out)
{
	int64_t t, ing;
	int flow;

	if (g->file != NULL) {
		const struct frec *fr;
		if (k >= g->file->n)
			return 0;
		fr = &g->file->recs[k];
		return buf_append(out, fr->json, fr->len) == 0 ? 1 : -1;
	}
	flow = is_flow(g, k);
	if (!(kinds & (flow ? GEN_FLOW : GEN_AUDIT)))
		return 0;
	t = rec_time(g, k);
	ing = ingest_ms(g, k, flow, t);
	if (ing > now_ms)
		return 0; /* not ingested yet: not searchable */
	if ((flow ? gen_flow(g, k, t, ing, out) : gen_audit(g, k, t, ing, out)) != 0)
		return -1;
	return 1;
}

static int
cmp_frec(const void *a, const void *b)
{
	const struct frec *x = a, *y = b;

	if (x->datetime != y->datetime)
		return x->datetime < y->datetime ? -1 : 1;
	return x->seq < y->seq ? -1 : (x->seq > y->seq); /* keep file order */
}

int
gen_load_file(struct gen *g, const char *path, char *err, size_t errlen)
{
	struct gen_file *f = calloc(1, sizeof(*f));
	FILE *in = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, alloc = 0, lineno = 0;
	ssize_t n;

	if (f == NULL || in == NULL) {
		snprintf(err, errlen, "cannot open %s", path);
		goto fail;
	}
	while ((n = getline(&line, &cap, in)) > 0) {
		json_error_t jerr;
		json_t *v, *lc, *dt, *wrap = NULL;
		struct frec r;
		int64_t ms;

		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		v = json_loads(line, 0, &jerr);
		if (v == NULL || !json_is_object(v)) {
			snprintf(err, errlen, "%s:%zu: not a JSON object", path, lineno);
			json_decref(v);
			goto fail;
		}
		lc = json_object_get(v, "logContent");
		dt = json_object_get(v, "datetime");
		if (lc == NULL) {
			/* A bare logContent: wrap it the way search results carry it. */
			if (parse_time(json_string_value(json_object_get(v, "time")), &ms) != 0) {
				snprintf(err, errlen, "%s:%zu: no datetime/logContent nor time", path, lineno);
				json_decref(v);
				goto fail;
			}
			wrap = json_pack("{sIsO}", "datetime", (json_int_t)ms, "logContent", v);
		} else if (json_is_integer(dt)) {
			ms = json_integer_value(dt);
		} else {
			snprintf(err, errlen, "%s:%zu: datetime is not an integer", path, lineno);
			json_decref(v);
			goto fail;
		}
		r.datetime = ms;
		r.seq = f->n;
		r.json = json_dumps(wrap != NULL ? wrap : v, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(wrap);
		json_decref(v);
		if (r.json == NULL)
			goto fail;
		r.len = strlen(r.json);
		if (f->n == alloc) {
			struct frec *nr;
			alloc = alloc ? alloc * 2 : 1024;
			nr = realloc(f->recs, alloc * sizeof(*nr));
			if (nr == NULL) {
				free(r.json);
				goto fail;
			}
			f->recs = nr;
		}
		f->recs[f->n++] = r;
	}
	qsort(f->recs, f->n, sizeof(*f->recs), cmp_frec);
	free(line);
	fclose(in);
	g->file = f;
	return 0;
fail:
	if (err[0] == '\0')
		snprintf(err, errlen, "cannot load %s (out of memory)", path);
	free(line);
	if (in != NULL)
		fclose(in);
	if (f != NULL) {
		g->file = f;
		gen_free_file(g);
	}
	return -1;
}

void
gen_free_file(struct gen *g)
{
	size_t i;

	if (g->file == NULL)
		return;
	for (i = 0; i < g->file->n; i++)
		free(g->file->recs[i].json);
	free(g->file->recs);
	free(g->file);
	g->file = NULL;
}
