/* test_instprin.c — instance principals' pure parts: JWT times, refresh schedule, and the
 * federation URL built from the instance's region. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "instprin.h"

/* "h.<base64url(payload)>.s" */
static char *
jwt(const char *payload)
{
	size_t n = strlen(payload), i, m;
	char *b64 = malloc(4 * (n / 3 + 1) + 1), *out;

	assert_non_null(b64);
	m = (size_t)EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)payload,
	    (int)n);
	while (m > 0 && b64[m - 1] == '=')
		b64[--m] = '\0';
	for (i = 0; i < m; i++)
		b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
	out = malloc(m + 8);
	assert_non_null(out);
	snprintf(out, m + 8, "h.%s.s", b64);
	free(b64);
	return out;
}

static int
times(const char *payload, int64_t *exp, int64_t *iat)
{
	char *t = jwt(payload);
	int rc = instprin_jwt_times(t, exp, iat);

	free(t);
	return rc;
}

static void
test_jwt_times(void **state)
{
	int64_t exp = 0, iat = 0;

	assert_int_equal(times("{\"iat\":1700000000,\"exp\":1700001200}", &exp, &iat), 0);
	assert_int_equal(exp, 1700001200);
	assert_int_equal(iat, 1700000000);
	/* NumericDate may be fractional */
	assert_int_equal(times("{\"exp\":1700001200.9}", &exp, &iat), 0);
	assert_int_equal(exp, 1700001200);
	assert_int_equal(iat, 0);
	/* exp out of range: refused (it would overflow the ms arithmetic) */
	assert_int_equal(times("{\"exp\":9223372036854775807}", &exp, &iat), -1);
	assert_int_equal(times("{\"exp\":253402300800}", &exp, &iat), -1);
	assert_int_equal(times("{\"exp\":1e300}", &exp, &iat), -1);
	assert_int_equal(times("{\"exp\":-5}", &exp, &iat), -1);
	assert_int_equal(times("{\"exp\":0}", &exp, &iat), -1);
	assert_int_equal(times("{\"exp\":\"1700001200\"}", &exp, &iat), -1);
	assert_int_equal(times("{\"exp\":99999999999999999999999}", &exp, &iat), -1);
	assert_int_equal(times("[1]", &exp, &iat), -1);
	assert_int_equal(times("", &exp, &iat), -1);
	/* the largest allowed */
	assert_int_equal(times("{\"exp\":253402300799}", &exp, &iat), 0);
	assert_int_equal(exp, INSTPRIN_JWT_MAX_TIME);
	/* a nonsensical iat is ignored, not fatal */
	assert_int_equal(times("{\"exp\":1700001200,\"iat\":1800000000}", &exp, &iat), 0);
	assert_int_equal(iat, 0);
	assert_int_equal(times("{\"exp\":1700001200,\"iat\":-1}", &exp, &iat), 0);
	assert_int_equal(iat, 0);
	assert_int_equal(instprin_jwt_times("nodots", &exp, &iat), -1);
	assert_int_equal(instprin_jwt_times("a..c", &exp, &iat), -1);
	assert_int_equal(instprin_jwt_times("a.!!!!.c", &exp, &iat), -1);
}

static void
test_refresh_schedule(void **state)
{
	/* a 20-minute token: refreshed 5 minutes before expiry */
	assert_int_equal(instprin_refresh_in_ms(1200, 0, 0), 900000);
	assert_int_equal(instprin_refresh_in_ms(1700001200, 1700000000, 1700000000000LL),
	    900000);
	/* a 3 s token: a quarter of its life ahead */
	assert_int_equal(instprin_refresh_in_ms(1003, 1000, 1000000), 2250);
	/* expired or about to: not a hot loop */
	assert_int_equal(instprin_refresh_in_ms(1000, 0, 5000000), INSTPRIN_MIN_REFRESH_MS);
	assert_int_equal(instprin_refresh_in_ms(1, 0, 1000), INSTPRIN_MIN_REFRESH_MS);
	/* extremes stay finite (UBSan would flag an overflow) */
	assert_true(instprin_refresh_in_ms(INSTPRIN_JWT_MAX_TIME, 0, 0) > 0);
	assert_true(instprin_refresh_in_ms(INSTPRIN_JWT_MAX_TIME, 0, INT64_MAX) > 0);
	assert_int_equal(instprin_refresh_in_ms(1, INSTPRIN_JWT_MAX_TIME, INT64_MIN),
	    INSTPRIN_MIN_REFRESH_MS);
}

static void
check_url(const char *auth_url, const char *region, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	if (want == NULL) {
		assert_int_equal(instprin_federation_url(auth_url, region, &b), -1);
	} else {
		assert_int_equal(instprin_federation_url(auth_url, region, &b), 0);
		assert_string_equal(b.data, want);
	}
	buf_cleanup(&b);
}

static void
test_federation_url(void **state)
{
	/* the instance's region decides the auth endpoint, realm domain included */
	check_url(NULL, "us-phoenix-1", "https://auth.us-phoenix-1.oraclecloud.com/v1/x509");
	check_url(NULL, "uk-gov-london-1",
	    "https://auth.uk-gov-london-1.oraclegovcloud.uk/v1/x509");
	check_url(NULL, "eu-madrid-2", "https://auth.eu-madrid-2.oraclecloud.eu/v1/x509");
	check_url(NULL, NULL, NULL);
	check_url(NULL, "bad region", NULL);
	/* overrides */
	check_url("http://127.0.0.1:9/", "us-phoenix-1", "http://127.0.0.1:9/v1/x509");
	check_url("http://127.0.0.1:9/v1/x509", NULL, "http://127.0.0.1:9/v1/x509");
	check_url("http://auth.{region}.localhost:9", "us-phoenix-1",
	    "http://auth.us-phoenix-1.localhost:9/v1/x509");
	check_url("http://auth.{region}.localhost:9", NULL, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jwt_times),
		cmocka_unit_test(test_refresh_schedule),
		cmocka_unit_test(test_federation_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
