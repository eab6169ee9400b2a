/*
 * fuzz_retry_after — libFuzzer target over the Retry-After parser (backoff_retry_after_ms:
 * delta-seconds or an HTTP-date, from any server we talk to) and backoff_next.
 *
 * For every input, read as a header value (NUL-terminated copy) at a few "now" values
 * (0, a 2026 clock, the input's own first 8 bytes as a clock): the result is -1 or within
 * [0, 86400000] ms, a value that parses is stable (same answer twice), and a value that
 * backoff_http_date_ms reads gives the matching wait.  Any violation aborts; ASan/UBSan catch the rest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                       \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz_retry_after: check failed: %s (line %d)\n", \
			    #cond, __LINE__);                                             \
			abort();                                                          \
		}                                                                         \
	} while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v = malloc(size + 1);
	int64_t nows[3] = { 0, 1795000000000LL, 0 };
	struct backoff b;
	int i;

	if (v == NULL)
		return 0;
	memcpy(v, data, size);
	v[size] = '\0';
	if (size >= 8)
		memcpy(&nows[2], data, 8);
	for (i = 0; i < 3; i++) {
		int64_t r = backoff_retry_after_ms(v, nows[i]);
		CHECK(r >= -1 && r <= 86400000);
		CHECK(backoff_retry_after_ms(v, nows[i]) == r);
	}
	{
		/* a date that parses is a Retry-After that parses, and agrees with it */
		int64_t when;
		const char *p = v;
		while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
			p++;
		/* a leading digit makes it delta-seconds, whatever follows */
		if (!(*p >= '0' && *p <= '9') && backoff_http_date_ms(v, &when) == 0) {
			int64_t r = backoff_retry_after_ms(v, 0);
			CHECK(r >= 0);
			CHECK(when <= 0 ? r == 0 : r == (when > 86400000 ? 86400000 : when));
		}
	}
	/* the backoff stays within [initial, max] whatever the attempt count */
	backoff_init(&b, size % 1000 + 1, (int64_t)(size % 7) * 1000 + 1);
	for (i = 0; i < 80; i++) {
		int64_t d = backoff_next(&b);
		CHECK(d >= b.initial_ms && d <= b.max_ms);
	}
	free(v);
	return 0;
}
