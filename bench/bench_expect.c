/*
 * bench_expect — what a sink must receive, for bench/run.sh's delivery check.
 *
 * Reads `ocisim --dump` NDJSON (one search result a line) on stdin, normalizes and
 * encodes each record in FORMAT exactly as the daemon does (normalize_record +
 * format_encode with the source's region), and prints one JSON line:
 *   {"records":N,"unique":U,"content_sum":"%016llx","skipped":S}
 * content_sum = the sum (mod 2^64) of hash_quick() over the distinct encoded events, the
 * same figure `sinksim --count-only` reports for what it received: a run that loses,
 * truncates or corrupts a single event gets a different sum.
 *
 *   ocisim --dump ... | bench_expect ecs|ocsf|raw [REGION]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "format.h"
#include "hash.h"
#include "normalize.h"
#include "seen.h"

int
main(int argc, char **argv)
{
	enum conf_format fmt;
	const char *region = argc > 2 ? argv[2] : "us-ashburn-1";
	struct normalizer *n = normalizer_new();
	struct seen *seen = seen_new(); /* duplicate records encode to the same event */
	struct buf out;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long long records = 0, skipped = 0;
	uint64_t sum = 0;

	if (argc < 2 || (strcmp(argv[1], "ecs") != 0 && strcmp(argv[1], "ocsf") != 0 &&
	    strcmp(argv[1], "raw") != 0)) {
		fprintf(stderr, "usage: ocisim --dump ... | bench_expect ecs|ocsf|raw [REGION]\n");
		return 64;
	}
	fmt = strcmp(argv[1], "ecs") == 0 ? CONF_FORMAT_ECS :
	    strcmp(argv[1], "ocsf") == 0 ? CONF_FORMAT_OCSF : CONF_FORMAT_RAW;
	if (n == NULL || seen == NULL) {
		fprintf(stderr, "bench_expect: out of memory\n");
		return 1;
	}
	buf_init(&out, 0);
	while ((len = getline(&line, &cap, stdin)) > 0) {
		const struct event *ev;
		struct normalize_err err;

		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (len == 0)
			continue;
		records++;
		buf_reset(&out);
		if (normalize_record(n, line, (size_t)len, &ev, &err) != 0 ||
		    format_encode(ev, fmt, region, &out) != 0) {
			skipped++;
			continue;
		}
		{
			uint64_t h = hash_quick(out.data, out.len);
			if (seen_add(seen, h, 0) == 1)
				sum += h;
		}
	}
	printf("{\"records\":%llu,\"unique\":%llu,\"content_sum\":\"%016llx\",\"skipped\":%llu}\n",
	    records, (unsigned long long)seen_count(seen), (unsigned long long)sum, skipped);
	free(line);
	seen_free(seen);
	buf_cleanup(&out);
	normalizer_free(n);
	return 0;
}
