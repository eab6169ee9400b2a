/*
 * fuzz_jwt — libFuzzer target over the security token's time parsing (instprin.c), the
 * only part of the federation response the daemon interprets, and the refresh schedule
 * computed from it (make fuzz; tests/fuzz/run.sh).
 *
 * Each input is tried as a whole token and as the payload of "h.<base64url(input)>.s"
 * (so the JSON seeds run.sh provides reach the JSON reader).  Checked:
 *   - a token accepted has 1 <= exp <= INSTPRIN_JWT_MAX_TIME and 0 <= iat <= exp;
 *   - the refresh delay for it, at any clock, is >= INSTPRIN_MIN_REFRESH_MS and never
 *     later than the expiry seen from a clock that is not past it;
 *   - UBSan/ASan: no overflow, no out-of-bounds read.
 */
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instprin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "fuzz_jwt: check failed: %s (line %d)\n", #cond, \
			    __LINE__);                                               \
			abort();                                                     \
		}                                                                    \
	} while (0)

static void
check_token(const char *tok)
{
	static const int64_t clocks_ms[] = { 0, 1, 1700000000000LL, 253402300799000LL,
		INT64_MAX, INT64_MIN, -1 };
	int64_t exp = -7, iat = -7, d;
	size_t i;

	if (instprin_jwt_times(tok, &exp, &iat) != 0)
		return;
	CHECK(exp >= 1 && exp <= INSTPRIN_JWT_MAX_TIME);
	CHECK(iat >= 0 && iat <= exp);
	for (i = 0; i < sizeof(clocks_ms) / sizeof(clocks_ms[0]); i++) {
		d = instprin_refresh_in_ms(exp, iat, clocks_ms[i]);
		CHECK(d >= INSTPRIN_MIN_REFRESH_MS);
		if (clocks_ms[i] >= 0 && clocks_ms[i] / 1000 < exp)
			CHECK(d <= exp * 1000 - clocks_ms[i] || d == INSTPRIN_MIN_REFRESH_MS);
	}
	/* a clock just before expiry */
	d = instprin_refresh_in_ms(exp, iat, exp * 1000 - 1);
	CHECK(d == INSTPRIN_MIN_REFRESH_MS);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *tok;
	size_t m, i;

	if (size > 48 * 1024)
		return 0;
	tok = malloc(size + 1);
	if (tok == NULL)
		return 0;
	memcpy(tok, data, size);
	tok[size] = '\0';
	check_token(tok);
	free(tok);

	tok = malloc(4 * (size / 3 + 1) + 8);
	if (tok == NULL)
		return 0;
	memcpy(tok, "h.", 2);
	m = (size_t)EVP_EncodeBlock((unsigned char *)tok + 2, data, (int)size);
	while (m > 0 && tok[2 + m - 1] == '=')
		m--;
	for (i = 2; i < 2 + m; i++)
		tok[i] = tok[i] == '+' ? '-' : tok[i] == '/' ? '_' : tok[i];
	memcpy(tok + 2 + m, ".s", 3);
	check_token(tok);
	free(tok);
	return 0;
}
