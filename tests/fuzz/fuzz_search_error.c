/*
 * fuzz_search_error — libFuzzer target over what search.c does with an OCI error answer:
 * search_parse_error (the {"code","message"} body), search_escape (what goes into log
 * lines and the caller's result) and search_classify (status and code only).
 *
 * For every input: parse it as an error body; escape code and message into buffers of
 * several sizes and check that the output fits, has no control character, and is a prefix
 * of the full escape (truncation never splits an escape); classify the code under a set of
 * statuses and check that the action is one the enum knows and that 2xx/429/401/404/400
 * give the documented action whatever the code.  Any violation aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                       \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz_search_error: check failed: %s (line %d)\n", \
			    #cond, __LINE__);                                             \
			abort();                                                          \
		}                                                                         \
	} while (0)

static void
check_escape(const char *in)
{
	static const size_t sizes[] = { 1, 2, 4, 5, 9, 64 };
	const char *src = in != NULL ? in : "-"; /* what search_escape prints for NULL */
	size_t full_n = strlen(src) * 4 + 1, i;
	char *full = malloc(full_n), small[64];
	const char *p;

	CHECK(full != NULL);
	search_escape(in, full, full_n);
	for (p = full; *p != '\0'; p++)
		CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p != 0x7f);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len;
		search_escape(in, small, sizes[i]);
		len = strlen(small);
		CHECK(len < sizes[i]);
		CHECK(strncmp(small, full, len) == 0);
		/* truncated at a unit boundary (never inside an escape), and as late as the
		 * size allows */
		if (len < strlen(full)) {
			size_t pos = 0, unit = 0;
			for (p = src; *p != '\0' && pos < len; p++) {
				unsigned char c = (unsigned char)*p;
				pos += c < 0x20 || c == 0x7f ? 4 : 1;
			}
			CHECK(pos == len);
			unit = (unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f ? 4 : 1;
			CHECK(len + unit > sizes[i] - 1);
		}
	}
	free(full);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 0, 200, 204, 301, 302, 400, 401, 403, 404, 409, 429,
		500, 501, 502, 503, 504, 599, 600 };
	char *code = NULL, *message = NULL;
	size_t i;

	search_parse_error((const char *)data, size, &code, &message);
	check_escape(code);
	check_escape(message);
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		enum search_status final = SEARCH_OK;
		enum search_action a = search_classify(statuses[i], code, &final);

		CHECK(a >= SEARCH_ACT_DONE && a <= SEARCH_ACT_FINAL);
		CHECK(final >= SEARCH_OK && final <= SEARCH_CANCELLED);
		if (statuses[i] >= 200 && statuses[i] < 300)
			CHECK(a == SEARCH_ACT_DONE);
		if (statuses[i] == 429)
			CHECK(a == SEARCH_ACT_RATE);
		if (statuses[i] == 401)
			CHECK(a == SEARCH_ACT_REAUTH && final == SEARCH_AUTH);
		if (statuses[i] == 404)
			CHECK(a == SEARCH_ACT_FINAL && final == SEARCH_NOT_FOUND);
		if (statuses[i] == 400)
			CHECK(a == SEARCH_ACT_FINAL && final == SEARCH_BAD_QUERY);
		if (statuses[i] == 0 || (statuses[i] >= 500 && statuses[i] != 501 &&
		    statuses[i] < 600))
			CHECK(a == SEARCH_ACT_TRANSIENT);
	}
	free(code);
	free(message);
	return 0;
}
