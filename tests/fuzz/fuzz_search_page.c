/*
 * fuzz_search_page — libFuzzer target over search_parse_page (SearchLogs response bodies,
 * located with yajl's streaming parser and no tree).
 *
 * For every input: parse it; on success every record range lies inside the input, starts
 * with '{' and ends with '}', ranges do not overlap and come in order, and each range is
 * one complete JSON object by itself (yajl, nothing after it).  When jansson reads the
 * whole body (it refuses some valid JSON: huge numbers, lone surrogates, duplicate
 * keys are fine), the record count equals the length of `results` (0 when it is missing
 * or null).  Parsing twice gives the same ranges.  Any violation aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yajl/yajl_parse.h>

#include "search.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                       \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz_search_page: check failed: %s (line %d)\n", \
			    #cond, __LINE__);                                             \
			abort();                                                          \
		}                                                                         \
	} while (0)

static int
one_json_object(const char *p, size_t len)
{
	yajl_handle h = yajl_alloc(NULL, NULL, NULL);
	int ok;

	if (h == NULL)
		return 1; /* out of memory: nothing to judge */
	yajl_config(h, yajl_dont_validate_strings, 1);
	ok = yajl_parse(h, (const unsigned char *)p, len) == yajl_status_ok &&
	    yajl_complete_parse(h) == yajl_status_ok;
	yajl_free(h);
	return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a private copy, so that ranges can be checked against its bounds */
	char *body = malloc(size + 1), err[200];
	struct search_record *recs = NULL, *again = NULL;
	size_t cap = 0, cap2 = 0, n = 0, n2 = 0, i;

	if (body == NULL)
		return 0;
	memcpy(body, data, size);
	body[size] = '\0';
	if (search_parse_page(body, size, &recs, &cap, &n, err, sizeof(err)) == 0) {
		const char *prev_end = body;
		json_t *v;

		for (i = 0; i < n; i++) {
			CHECK(recs[i].json >= prev_end);
			CHECK(recs[i].len >= 2);
			CHECK(recs[i].json + recs[i].len <= body + size);
			CHECK(recs[i].json[0] == '{' && recs[i].json[recs[i].len - 1] == '}');
			CHECK(one_json_object(recs[i].json, recs[i].len));
			prev_end = recs[i].json + recs[i].len;
		}
		v = json_loadb(body, size, JSON_DECODE_ANY, NULL);
		if (v != NULL && json_is_object(v)) {
			json_t *r = json_object_get(v, "results");
			/* jansson keeps the last of duplicate keys, yajl saw them all: compare
			 * only when "results" is spelled once */
			const char *first = strstr(body, "\"results\"");
			if (first != NULL && strstr(first + 1, "\"results\"") == NULL &&
			    strstr(body, "\\u") == NULL) /* no escaped spelling of the key */
				CHECK(n == (r == NULL || json_is_null(r) ? 0 : json_array_size(r)));
		}
		json_decref(v);
		CHECK(search_parse_page(body, size, &again, &cap2, &n2, err, sizeof(err)) == 0);
		CHECK(n2 == n);
		for (i = 0; i < n; i++)
			CHECK(again[i].json == recs[i].json && again[i].len == recs[i].len);
	} else {
		CHECK(err[0] != '\0');
	}
	free(recs);
	free(again);
	free(body);
	return 0;
}
