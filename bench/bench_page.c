/*
 * bench_page — the daemon's per-record work in page mode, on one core, without the
 * network: SearchLogs pages parsed by search_parse_page_rp() with the page normalizer
 * (each page lexed once, as lib/pipeline/source.c does), every event encoded into
 * batch bodies of ~1 MiB (as an http sink assembles them: a JSON array), and each body
 * optionally gzip-compressed.  Prints CPU µs/record per stage (medians of the runs) and
 * the gzip ratio.  Unlike bench_normalize (one record at a time, always in cache), the
 * encoder here reads events whose strings point into a 1.5 MB page parsed before them,
 * as in the daemon.
 *
 *   ocisim --dump --from T1 --to T2 --rate 100000/3600 ... | bench_page [opts]
 *     -f ecs|ocsf|raw   format (ecs)
 *     -z LEVEL          gzip each body at LEVEL (1..12; 0 = none, the default)
 *     -r RUNS           runs (5)
 *     -n RECORDS        records read from stdin at most (200000)
 *     -o FILE           write every body (uncompressed) there, once: checks by content
 *
 * Records are the lines of the dump (`{"datetime":..,"logContent":{..}}`), put into pages
 * of 1000 as ocisim serves them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "format.h"
#include "gzip.h"
#include "normalize.h"
#include "recparser.h"
#include "search.h"

#define PAGE_RECORDS 1000
#define BODY_MAX (1u << 20)

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main(int argc, char **argv)
{
	enum conf_format fmt = CONF_FORMAT_ECS;
	int level = 0, runs = 5, opt, r;
	size_t max_records = 200000, nrec = 0, npages = 0, i;
	const char *outpath = NULL;
	struct buf *pages = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t ll;
	struct normalizer *norm;
	struct search_rec_parser rp;
	struct search_record *recs = NULL;
	size_t rcap = 0;
	struct buf body, gz;
	double *t_parse, *t_enc, *t_gz;
	unsigned long long raw_bytes = 0, gz_bytes = 0, bodies = 0, bad = 0;
	FILE *out = NULL;

	while ((opt = getopt(argc, argv, "f:z:r:n:o:")) != -1) {
		switch (opt) {
		case 'f':
			if (strcmp(optarg, "ecs") == 0)
				fmt = CONF_FORMAT_ECS;
			else if (strcmp(optarg, "ocsf") == 0)
				fmt = CONF_FORMAT_OCSF;
			else if (strcmp(optarg, "raw") == 0)
				fmt = CONF_FORMAT_RAW;
			else
				goto usage;
			break;
		case 'z': level = atoi(optarg); break;
		case 'r': runs = atoi(optarg); break;
		case 'n': max_records = strtoull(optarg, NULL, 10); break;
		case 'o': outpath = optarg; break;
		default:
			goto usage;
		}
	}
	if (runs < 1 || level < 0 || level > 12)
		goto usage;

	/* pages of PAGE_RECORDS records, as ocisim writes them */
	while (nrec < max_records && (ll = getline(&line, &cap, stdin)) > 0) {
		struct buf *pg;

		while (ll > 0 && (line[ll - 1] == '\n' || line[ll - 1] == '\r'))
			line[--ll] = '\0';
		if (ll == 0)
			continue;
		if (nrec % PAGE_RECORDS == 0) {
			struct buf *np = realloc(pages, (npages + 1) * sizeof(*np));
			if (np == NULL)
				return 1;
			pages = np;
			buf_init(&pages[npages++], 0);
			buf_append_str(&pages[npages - 1], "{\"results\":[");
		}
		pg = &pages[npages - 1];
		if (nrec % PAGE_RECORDS != 0)
			buf_append_char(pg, ',');
		buf_append_str(pg, "{\"data\":");
		buf_append(pg, line, (size_t)ll);
		buf_append_char(pg, '}');
		nrec++;
	}
	free(line);
	for (i = 0; i < npages; i++) {
		size_t n = i + 1 < npages ? PAGE_RECORDS : nrec - i * PAGE_RECORDS;
		if (buf_printf(&pages[i], "],\"summary\":{\"resultCount\":%zu,\"fieldCount\":0}}", n) != 0)
			return 1;
	}
	if (nrec == 0) {
		fprintf(stderr, "bench_page: no records on stdin\n");
		return 1;
	}
	norm = normalizer_new();
	if (norm == NULL)
		return 1;
	recparser_init(&rp, norm);
	buf_init(&body, 0);
	buf_init(&gz, 0);
	t_parse = calloc((size_t)runs, sizeof(double));
	t_enc = calloc((size_t)runs, sizeof(double));
	t_gz = calloc((size_t)runs, sizeof(double));
	if (t_parse == NULL || t_enc == NULL || t_gz == NULL)
		return 1;
	if (outpath != NULL && (out = fopen(outpath, "w")) == NULL) {
		perror(outpath);
		return 1;
	}
	for (r = 0; r < runs; r++) {
		double tp = 0, te = 0, tz = 0, t0;
		size_t nbody = 0;

		raw_bytes = gz_bytes = bodies = bad = 0;
		for (i = 0; i < npages; i++) {
			size_t n = 0, k;
			char err[256];

			t0 = cpu_now();
			if (search_parse_page_rp(pages[i].data, pages[i].len, &rp, &recs, &rcap, &n,
			    err, sizeof(err)) != 0) {
				fprintf(stderr, "bench_page: page %zu: %s\n", i, err);
				return 1;
			}
			tp += cpu_now() - t0;
			t0 = cpu_now();
			for (k = 0; k < n; k++) {
				const struct event *ev = recs[k].parsed;
				size_t before;

				if (ev == NULL) {
					bad++;
					continue;
				}
				buf_append_char(&body, nbody == 0 ? '[' : ',');
				before = body.len;
				if (format_encode(ev, fmt, "us-ashburn-1", &body) != 0) {
					body.len = before - 1;
					bad++;
					continue;
				}
				nbody++;
				if (body.len >= BODY_MAX - 2048 || (i + 1 == npages && k + 1 == n)) {
					double t1;

					buf_append_char(&body, ']');
					te += cpu_now() - t0;
					t1 = cpu_now();
					raw_bytes += body.len;
					if (level > 0) {
						if (gzip_compress(body.data, body.len, level, &gz) != 0)
							return 1;
						gz_bytes += gz.len;
					}
					tz += cpu_now() - t1;
					if (out != NULL && r == 0) {
						fwrite(body.data, 1, body.len, out);
						fputc('\n', out);
					}
					bodies++;
					buf_reset(&body);
					nbody = 0;
					t0 = cpu_now();
				}
			}
			te += cpu_now() - t0;
		}
		t_parse[r] = tp;
		t_enc[r] = te;
		t_gz[r] = tz;
	}
	if (out != NULL)
		fclose(out);
	{
		double mp = median(t_parse, runs), me = median(t_enc, runs), mz = median(t_gz, runs);
		double us = 1e6 / (double)nrec;
		printf("bench_page: %zu records in %zu pages, format %s, %llu bodies of %.0f KB avg, "
		    "%d run(s), medians\n", nrec, npages, format_name(fmt), bodies,
		    (double)raw_bytes / (double)bodies / 1024, runs);
		printf("  parse+normalize %.3f us/record\n", mp * us);
		printf("  encode          %.3f us/record\n", me * us);
		if (level > 0)
			printf("  gzip level %-2d   %.3f us/record, ratio %.2f:1\n", level, mz * us,
			    (double)raw_bytes / (double)gz_bytes);
		printf("  total           %.3f us/record\n", (mp + me + mz) * us);
		if (bad > 0)
			printf("  %llu records did not normalize or encode\n", bad);
	}
	for (i = 0; i < npages; i++)
		buf_cleanup(&pages[i]);
	free(pages);
	free(recs);
	buf_cleanup(&body);
	buf_cleanup(&gz);
	free(t_parse);
	free(t_enc);
	free(t_gz);
	normalizer_free(norm);
	return 0;
usage:
	fprintf(stderr, "usage: bench_page [-f ecs|ocsf|raw] [-z LEVEL] [-r RUNS] [-n RECORDS] "
	    "[-o FILE] < ocisim-dump.ndjson\n");
	return 64;
}
