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

static void
hex8(uint64_t v, char out[9])
{
	snprintf(out, 9, "%08x", (unsigned)(v & 0xffffffffu));
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
	char ts[32], its[32], id[9], flowid[9], src[48];
	uint64_t r = h(g, k, 5), r2 = h(g, k, 6);
	int v = (int)(r % 4), s = (int)((r >> 8) % (sizeof(svc) / sizeof(svc[0])));
	int reject = (r >> 16) % 5 == 0, inbound = (r >> 20) % 2 == 0;
	int64_t start = t / 1000, end = start + 30 + (int64_t)((r >> 24) % 30);
	int nodata = h(g, k, 3) % 50 == 0;

	timeutil_format_rfc3339(t, TIMEUTIL_MS, ts);
	timeutil_format_rfc3339(ing, TIMEUTIL_MS, its);
	own_flow_id(g, k, flowid);
	snprintf(id, sizeof(id), "%s", flowid);
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
	if (buf_printf(out, "{\"datetime\":%lld,\"logContent\":{\"data\":{", (long long)t) != 0)
		return -1;
	if (nodata) {
		if (buf_printf(out, "\"action\":null,\"bytesOut\":null,\"destinationAddress\":null,"
			"\"destinationPort\":null,\"endTime\":%lld,\"flowid\":null,\"packets\":null,"
			"\"protocol\":null,\"protocolName\":null,\"sourceAddress\":null,"
			"\"sourcePort\":null,\"startTime\":%lld,\"status\":\"NODATA\","
			"\"version\":\"2\"}", (long long)end, (long long)start) != 0)
			return -1;
	} else {
		int sport = 1024 + (int)(r2 % 64000), dport = svc[s].port;
		long long packets = 1 + (long long)((r2 >> 16) % 200);
		long long bytes = packets * (40 + (long long)((r2 >> 32) % 1400));
		if ((r2 >> 40) % 4 == 0)
			snprintf(src, sizeof(src), "2001:db8:%x::%x", (unsigned)((r2 >> 44) & 0xfff),
			    (unsigned)((r2 >> 8) & 0xffff));
		else
			snprintf(src, sizeof(src), "%s.%u", (r2 >> 42) % 2 ? "198.51.100" : "203.0.113",
			    (unsigned)(1 + (r2 >> 48) % 254));
		if (svc[s].proto == 1)
			sport = 0;
		if (buf_printf(out, "\"action\":\"%s\",\"bytesOut\":%lld,\"destinationAddress\":\"%s\","
			"\"destinationPort\":%d,\"endTime\":%lld,\"flowid\":\"%s\",\"packets\":%lld,"
			"\"protocol\":%d,\"protocolName\":\"%s\",\"sourceAddress\":\"%s\","
			"\"sourcePort\":%d,\"startTime\":%lld,\"status\":\"OK\",\"version\":\"2\"}",
			reject ? "REJECT" : "ACCEPT", bytes, inbound ? vnics[v][1] : src, inbound ? dport : sport,
			(long long)end, flowid, packets, svc[s].proto, svc[s].name,
			inbound ? src : vnics[v][1], inbound ? sport : dport, (long long)start) != 0)
			return -1;
	}
	return buf_printf(out, ",\"id\":\"%s\",\"oracle\":{\"compartmentid\":\"" FLOW_COMPARTMENT
	    "\",\"ingestedtime\":\"%s\",\"loggroupid\":\"" FLOW_LOGGROUP "\",\"logid\":\""
	    FLOW_LOG "\",\"tenantid\":\"%s\",\"vcnOcid\":\"" VCN "\",\"vniccompartmentocid\":\""
	    AUDIT_COMPARTMENT "\",\"vnicocid\":\"%s\",\"vnicsubnetocid\":\"%s\"},\"source\":\"-\","
	    "\"specversion\":\"1.0\",\"subject\":\"-\",\"time\":\"%s\",\"type\":\"%s\"}}",
	    id, its, g->tenancy, vnics[v][0], vnics[v][2], ts,
	    nodata ? "com.oraclecloud.vcn.flowlogs.QualityEvent.NoData" :
		     "com.oraclecloud.vcn.flowlogs.DataEvent");
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
	char ts[32], its[32], rts[32], uuid[40], rid[100], user[40], res[40], ipbuf[40];
	uint64_t r = h(g, k, 7), r2 = h(g, k, 8);
	int e = (int)(r % (sizeof(ev) / sizeof(ev[0])));
	int p = (int)((r >> 8) % 4);
	const char *status = statuses[(r >> 12) % 10];
	int ok = status[0] == '2', list = strncmp(ev[e].event, "List", 4) == 0;
	char resname[48], resid[120], resnm[64];

	timeutil_format_rfc3339(t, TIMEUTIL_MS, ts);
	timeutil_format_rfc3339(ing, TIMEUTIL_MS, its);
	timeutil_format_rfc3339(t + 30 + (int64_t)(r % 900), TIMEUTIL_MS, rts);
	snprintf(uuid, sizeof(uuid), "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(r2 >> 32),
	    (unsigned)(r2 >> 16) & 0xffff, (unsigned)r2 & 0xfff,
	    0x8000u | ((unsigned)(r >> 20) & 0x3fff), (unsigned long long)(hash_mix64(r2) & 0xffffffffffffULL));
	hexn(r, r2, 32, rid);
	rid[32] = '/';
	hexn(r2, hash_mix64(r), 32, rid + 33);
	rid[65] = '/';
	hexn(hash_mix64(r2), r, 32, rid + 66);
	b32ish(r + (uint64_t)p, 32, user);
	b32ish(r2, 32, res);
	snprintf(resname, sizeof(resname), "prod-%s-%02d", ev[e].rtype, (int)((r >> 30) % 40));
	if (list) {
		snprintf(resid, sizeof(resid), "null");
		snprintf(resnm, sizeof(resnm), "null");
	} else {
		snprintf(resid, sizeof(resid), "\"ocid1.%s.oc1.iad.%s\"", ev[e].rtype, res);
		snprintf(resnm, sizeof(resnm), "\"%s\"", resname);
	}
	snprintf(ipbuf, sizeof(ipbuf), "203.0.113.%u", (unsigned)(1 + (r2 >> 50) % 254));
	if (buf_printf(out, "{\"datetime\":%lld,\"logContent\":{\"data\":{\"additionalDetails\":{},"
		"\"availabilityDomain\":\"Uocm:US-ASHBURN-AD-%d\",\"compartmentId\":\""
		AUDIT_COMPARTMENT "\",\"compartmentName\":\"prod-apps\",\"definedTags\":null,"
		"\"eventGroupingId\":\"%s\",\"eventName\":\"%s\",\"freeformTags\":null,"
		"\"identity\":{\"authType\":\"natv\",\"callerId\":null,\"callerName\":null,"
		"\"consoleSessionId\":null,\"credentials\":\"%s/ocid1.user.oc1..aaaaaaaa%s/"
		"3a:7f:c2:19:5e:d0:84:6b:a1:f3:22:9c:0e:47:b8:d5\",\"ipAddress\":\"%s\","
		"\"principalId\":\"ocid1.user.oc1..aaaaaaaa%s\",\"principalName\":\"%s\","
		"\"tenantId\":\"%s\",\"userAgent\":\"Oracle-PythonSDK/2.141.1 (python 3.11.8; "
		"x86_64-Linux) Oracle-PythonCLI/3.49.0\"},\"message\":\"%s %s %s\",",
		(long long)t, 1 + (int)((r >> 40) % 3), rid, ev[e].event, g->tenancy, user, ipbuf,
		user, principals[p], g->tenancy, list ? ev[e].rtype : resname, ev[e].event,
		ok ? "succeeded" : "failed") != 0)
		return -1;
	if (buf_printf(out, "\"request\":{\"action\":\"%s\",\"headers\":{\"Accept\":"
		"[\"application/json\"],\"opc-request-id\":[\"%s\"]},\"id\":\"%s\","
		"\"parameters\":{},\"path\":\"%s%s\"},\"resourceId\":%s,\"resourceName\":%s,"
		"\"response\":{\"headers\":{\"Content-Type\":[\"application/json\"]},"
		"\"message\":%s,\"payload\":{},\"responseTime\":\"%s\",\"status\":\"%s\"},"
		"\"stateChange\":{\"current\":null,\"previous\":null}},\"dataschema\":\"2.0\","
		"\"id\":\"%s\",\"oracle\":{\"compartmentid\":\"" AUDIT_COMPARTMENT "\","
		"\"ingestedtime\":\"%s\",\"loggroupid\":\"_Audit\",\"tenantid\":\"%s\"},"
		"\"source\":\"%s\",\"specversion\":\"1.0\",\"time\":\"%s\","
		"\"type\":\"com.oraclecloud.%s.%s\"}}",
		ev[e].action, rid, rid, ev[e].path, list ? "" : res, resid, resnm,
		ok ? "null" : "\"The request failed; see the status.\"", rts, status, uuid, its,
		g->tenancy, list ? "" : resname, ts, ev[e].service, ev[e].event) != 0)
		return -1;
	return 0;
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
