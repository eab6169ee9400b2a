/*
 * fuzz_es_bulk — libFuzzer target over the Elasticsearch bulk-response reader (the only
 * response body a sink type parses: sink_elasticsearch.c's parse_2xx), as a hostile or
 * broken cluster or proxy would answer a 2xx (make fuzz; tests/fuzz/run.sh).
 *
 * Input: the first byte chooses how many events the batch held (1..64), the rest is the
 * response body (NUL-terminated, as lib/core/http.c hands it over).  Checks: the reader returns
 * 0 or -1; on 0 every item has a known action and a NUL-terminated reason, and an item
 * that is not OK carries its status unless the body had none.  Any violation aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "sink_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                       \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz_es_bulk: check failed: %s (line %d)\n", #cond, \
			    __LINE__);                                                    \
			abort();                                                          \
		}                                                                         \
	} while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sink_event ev[64], *evs[64];
	struct sink_item_result res[64];
	struct http_response r;
	char *body;
	size_t n, i;
	int rc;

	if (size < 1)
		return 0;
	n = (size_t)(data[0] % 64) + 1;
	body = malloc(size);
	if (body == NULL)
		return 0;
	memcpy(body, data + 1, size - 1);
	body[size - 1] = '\0';
	memset(ev, 0, sizeof(ev));
	for (i = 0; i < n; i++) {
		ev[i].json = "{}";
		ev[i].json_len = 2;
		ev[i].item = ev[i].json;
		ev[i].item_len = 2;
		ev[i].source = "";
		evs[i] = &ev[i];
	}
	memset(res, 0x5a, sizeof(res)); /* the reader must fill what it reports */
	for (i = 0; i < n; i++) {
		res[i].action = SINK_ITEM_OK;
		res[i].status = 0;
		res[i].reason[0] = '\0';
	}
	memset(&r, 0, sizeof(r));
	r.ok = 1;
	r.status = 200;
	r.body = body;
	r.body_len = size - 1;
	/* The reader does not use the sink: only the response and the batch size. */
	rc = sink_elasticsearch_ops.parse_2xx(NULL, &r, evs, n, res);
	CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		for (i = 0; i < n; i++) {
			CHECK(res[i].action == SINK_ITEM_OK || res[i].action == SINK_ITEM_RETRY ||
			    res[i].action == SINK_ITEM_REJECT);
			CHECK(memchr(res[i].reason, '\0', sizeof(res[i].reason)) != NULL);
		}
	}
	free(body);
	return 0;
}
