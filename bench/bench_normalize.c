/*
 * bench_normalize — parse + normalize + encode throughput on one core.
 *
 * Generates a realistic mix of SearchLogs results (70 % VCN flow, 30 % audit, shaped
 * like tests/data/samples, varied addresses/ports/names/ids, compact JSON as the API
 * sends it, ~1.2 KB on average), then for each format times normalize_record() +
 * format_encode() over every record, appending to a batch buffer that is flushed every
 * 500 events like a sink would.  Several runs; prints the median records/s and
 * µs/record per format, plus the machine.
 *
 *   bench_normalize [records (200000)] [runs (5)] [only: ecs|ocsf|raw|normalize]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "format.h"
#include "normalize.h"

/* xorshift64*: a fixed seed, so every run benches the same records */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static void
ocid(struct buf *b, uint64_t *s, const char *kind)
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyz234567";
	char tail[61];
	int i;

	for (i = 0; i < 60; i++)
		tail[i] = al[rnd(s) % 32];
	tail[60] = '\0';
	buf_printf(b, "\"ocid1.%s.oc1.iad.%s\"", kind, tail);
}

static void
ipv4(char *out, size_t n, uint64_t *s)
{
	uint64_t r = rnd(s);

	if (r % 3 == 0)
		snprintf(out, n, "10.0.%u.%u", (unsigned)(r >> 8) % 8, (unsigned)(r >> 16) % 250 + 2);
	else
		snprintf(out, n, "%u.%u.%u.%u", 198 - (unsigned)(r % 2) * 6, 51 + (unsigned)(r % 2) * 100,
		    100, (unsigned)(r >> 24) % 254 + 1);
}

static void
gen_flow(struct buf *b, uint64_t *s, int64_t t)
{
	char src[48], dst[48];
	uint64_t r = rnd(s);
	int tcp = r % 4 != 0, nodata = r % 50 == 0;
	unsigned flow = (unsigned)(rnd(s) & 0xffffffff);

	ipv4(src, sizeof(src), s);
	ipv4(dst, sizeof(dst), s);
	if (r % 20 == 1)
		snprintf(src, sizeof(src), "2001:db8:%x::%x", (unsigned)(r >> 8) % 64, (unsigned)(r >> 16) % 4096);
	buf_printf(b, "{\"datetime\":%lld,\"logContent\":{\"data\":{", (long long)t * 1000);
	if (nodata)
		buf_printf(b, "\"action\":null,\"bytesOut\":null,\"destinationAddress\":null,"
		    "\"destinationPort\":null,\"endTime\":%lld,\"flowid\":null,\"packets\":null,"
		    "\"protocol\":null,\"protocolName\":null,\"sourceAddress\":null,"
		    "\"sourcePort\":null,\"startTime\":%lld,\"status\":\"NODATA\",\"version\":\"2\"}",
		    (long long)t + 59, (long long)t);
	else
		buf_printf(b, "\"action\":\"%s\",\"bytesOut\":%u,\"destinationAddress\":\"%s\","
		    "\"destinationPort\":%u,\"endTime\":%lld,\"flowid\":\"%08x\",\"packets\":%u,"
		    "\"protocol\":%d,\"protocolName\":\"%s\",\"sourceAddress\":\"%s\","
		    "\"sourcePort\":%u,\"startTime\":%lld,\"status\":\"OK\",\"version\":\"2\"}",
		    r % 5 == 0 ? "REJECT" : "ACCEPT", (unsigned)(rnd(s) % 200000), dst,
		    (unsigned)(r >> 20) % 2 ? 443 : (unsigned)(r >> 24) % 65535, (long long)t + 40,
		    flow, (unsigned)(rnd(s) % 500) + 1, tcp ? 6 : 17, tcp ? "TCP" : "UDP", src,
		    (unsigned)(rnd(s) % 30000) + 32768, (long long)t);
	buf_printf(b, ",\"id\":\"%08x\",\"oracle\":{\"compartmentid\":", flow);
	ocid(b, s, "compartment");
	buf_printf(b, ",\"ingestedtime\":\"2025-03-14T09:%02d:%02d.%03dZ\",\"loggroupid\":",
	    (int)(t / 60 % 60), (int)(t % 60), (int)(rnd(s) % 1000));
	ocid(b, s, "loggroup");
	buf_append_str(b, ",\"logid\":");
	ocid(b, s, "log");
	buf_append_str(b, ",\"tenantid\":");
	ocid(b, s, "tenancy");
	buf_append_str(b, ",\"vcnOcid\":");
	ocid(b, s, "vcn");
	buf_append_str(b, ",\"vnicocid\":");
	ocid(b, s, "vnic");
	buf_append_str(b, ",\"vnicsubnetocid\":");
	ocid(b, s, "subnet");
	buf_printf(b, "},\"source\":\"-\",\"specversion\":\"1.0\",\"subject\":\"-\","
	    "\"time\":\"2025-03-14T%02d:%02d:%02dZ\","
	    "\"type\":\"com.oraclecloud.vcn.flowlogs.DataEvent\"}}",
	    (int)(t / 3600 % 24), (int)(t / 60 % 60), (int)(t % 60));
}

static void
gen_audit(struct buf *b, uint64_t *s, int64_t t)
{
	static const char *ev[] = { "GetInstance", "ListBuckets", "UpdateVnic", "CreateBucket",
		"DeleteObject", "InstanceAction", "ListUsers", "GetSecretBundle" };
	static const char *svc[] = { "ComputeApi", "objectstorage", "virtualNetwork",
		"objectstorage", "objectstorage", "ComputeApi", "IdentityControlPlane", "secrets" };
	static const char *users[] = { "ops-automation", "jane.doe@example.com",
		"svc-backup", "alice@example.com" };
	uint64_t r = rnd(s);
	unsigned e = (unsigned)(r % 8), u = (unsigned)(r >> 8) % 4;
	int status = r % 10 == 0 ? 404 : 200;
	char ip[48];
	int ms = (int)(rnd(s) % 1000);

	ipv4(ip, sizeof(ip), s);
	buf_printf(b, "{\"datetime\":%lld,\"logContent\":{\"data\":{\"additionalDetails\":{},"
	    "\"availabilityDomain\":\"AD%u\",\"compartmentId\":", (long long)t * 1000 + ms,
	    (unsigned)(r >> 12) % 3 + 1);
	ocid(b, s, "compartment");
	buf_printf(b, ",\"compartmentName\":\"prod-apps\",\"definedTags\":null,"
	    "\"eventGroupingId\":\"%016llx\",\"eventName\":\"%s\",\"freeformTags\":null,"
	    "\"identity\":{\"authType\":\"natv\",\"callerId\":null,\"callerName\":null,"
	    "\"consoleSessionId\":null,\"ipAddress\":\"%s\",\"principalId\":",
	    (unsigned long long)rnd(s), ev[e], ip);
	ocid(b, s, "user");
	buf_printf(b, ",\"principalName\":\"%s\",\"userAgent\":\"Oracle-PythonSDK/2.141.1\"},"
	    "\"message\":\"%s %s\",\"request\":{\"action\":\"%s\",\"headers\":{},"
	    "\"id\":\"%016llx\",\"parameters\":{},\"path\":\"/20160918/x/%u\"},"
	    "\"resourceId\":",
	    users[u], ev[e], status == 200 ? "succeeded" : "failed",
	    ev[e][0] == 'G' || ev[e][0] == 'L' ? "GET" : "POST", (unsigned long long)rnd(s),
	    (unsigned)(rnd(s) % 100000));
	ocid(b, s, "instance");
	buf_printf(b, ",\"resourceName\":\"res-%u\",\"response\":{\"headers\":{},"
	    "\"message\":null,\"payload\":{},\"responseTime\":\"2025-03-14T09:01:07.652Z\","
	    "\"status\":\"%d\"},\"stateChange\":{\"current\":null,\"previous\":null}},"
	    "\"dataschema\":\"2.0\",\"id\":\"%08x-8b1a-4f7d-9c3e-%012llx\",\"oracle\":{"
	    "\"compartmentid\":", (unsigned)(r >> 32) % 100, status,
	    (unsigned)(rnd(s) & 0xffffffff), (unsigned long long)(rnd(s) & 0xffffffffffffULL));
	ocid(b, s, "compartment");
	buf_printf(b, ",\"ingestedtime\":\"2025-03-14T09:01:13.902Z\",\"loggroupid\":\"_Audit\","
	    "\"tenantid\":");
	ocid(b, s, "tenancy");
	buf_printf(b, "},\"source\":\"res-%u\",\"specversion\":\"1.0\","
	    "\"time\":\"2025-03-14T%02d:%02d:%02d.%03dZ\",\"type\":\"com.oraclecloud.%s.%s\"}}",
	    (unsigned)(r >> 32) % 100, (int)(t / 3600 % 24), (int)(t / 60 % 60), (int)(t % 60),
	    ms, svc[e], ev[e]);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
machine(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	long nproc = 0;
	char model[200] = "unknown";

	if (f != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			if (strncmp(line, "processor", 9) == 0)
				nproc++;
			else if (strncmp(line, "model name", 10) == 0 && strcmp(model, "unknown") == 0) {
				char *c = strchr(line, ':');
				if (c != NULL) {
					snprintf(model, sizeof(model), "%s", c + 2);
					model[strcspn(model, "\n")] = '\0';
				}
			}
		}
		fclose(f);
	}
	printf("machine: %ld cpus, %s\n", nproc, model);
}

int
main(int argc, char **argv)
{
	long nrec = argc > 1 ? atol(argv[1]) : 200000;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	const char *only = argc > 3 ? argv[3] : NULL;
	struct buf all, batch;
	size_t *off;
	uint64_t seed = 0x9E3779B97F4A7C15ULL;
	long i, nflow = 0;
	int f, r;
	struct normalizer *n;
	/* -1 = normalize only (no encoding), to show the split */
	static const int fmts[] = { CONF_FORMAT_ECS, CONF_FORMAT_OCSF, CONF_FORMAT_RAW, -1 };
	double *times;
	int rc = 1;

	if (nrec <= 0 || runs <= 0)
		return 2;
	machine();
	buf_init(&all, 0);
	buf_init(&batch, 0);
	off = calloc((size_t)nrec + 1, sizeof(*off));
	times = calloc((size_t)runs, sizeof(*times));
	n = normalizer_new();
	if (off == NULL || times == NULL || n == NULL)
		goto out;
	for (i = 0; i < nrec; i++) {
		int64_t t = 1741942800 + i / 4;
		off[i] = all.len;
		if (rnd(&seed) % 10 < 7) {
			gen_flow(&all, &seed, t);
			nflow++;
		} else {
			gen_audit(&all, &seed, t);
		}
	}
	off[nrec] = all.len;
	printf("records: %ld (%.0f%% flow), average %.0f bytes, %d runs\n", nrec,
	    100.0 * (double)nflow / (double)nrec, (double)all.len / (double)nrec, runs);

	for (f = 0; f < 4; f++) {
		size_t out_bytes = 0;
		const char *fname = fmts[f] < 0 ? "normalize" : format_name((enum conf_format)fmts[f]);

		if (only != NULL && strcmp(only, fname) != 0)
			continue;
		/* run -1 is an untimed warm-up (caches, buffer growth) */
		for (r = -1; r < runs; r++) {
			double t0 = now_s();
			out_bytes = 0;
			for (i = 0; i < nrec; i++) {
				const struct event *ev;
				struct normalize_err err;
				if (normalize_record(n, all.data + off[i], off[i + 1] - off[i], &ev,
					&err) != 0) {
					fprintf(stderr, "record %ld: %s\n", i, err.msg);
					goto out;
				}
				if (fmts[f] < 0)
					continue;
				if (format_encode(ev, (enum conf_format)fmts[f], "us-ashburn-1",
					&batch) != 0 ||
				    buf_append_char(&batch, '\n') != 0) {
					fprintf(stderr, "encode failed\n");
					goto out;
				}
				if (i % 500 == 499) {
					out_bytes += batch.len;
					buf_reset(&batch);
				}
			}
			out_bytes += batch.len;
			buf_reset(&batch);
			if (r >= 0)
				times[r] = now_s() - t0;
		}
		qsort(times, (size_t)runs, sizeof(*times), cmp_double);
		printf("%-14s: median %.0f records/s, %.2f us/record (min %.2f, max %.2f), "
		       "output %.0f bytes/record\n",
		    fmts[f] < 0 ? "normalize only" : format_name((enum conf_format)fmts[f]),
		    (double)nrec / times[runs / 2],
		    times[runs / 2] * 1e6 / (double)nrec, times[0] * 1e6 / (double)nrec,
		    times[runs - 1] * 1e6 / (double)nrec, (double)out_bytes / (double)nrec);
	}
	rc = 0;
out:
	normalizer_free(n);
	free(times);
	free(off);
	buf_cleanup(&all);
	buf_cleanup(&batch);
	return rc;
}
