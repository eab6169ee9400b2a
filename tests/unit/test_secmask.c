/*
 * test_secmask.c — credentials echoed in OCI's error text are masked (issue 11 item 10):
 * keyId="..." and signature="..." values, ST$ tokens, Bearer tokens, and the client's
 * own current session token wherever it appears, also cut off at the end of the text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "secmask.h"

static void
check(const char *in, const char *const *sec, size_t n, const char *want)
{
	char *m = secmask(in, sec, n);

	assert_non_null(m);
	assert_string_equal(m, want);
	free(m);
}

static void
test_authorization_header(void **state)
{
	check("gateway: Authorization: Signature version=\"1\",headers=\"date host\","
	    "keyId=\"ST$eyJhbGci.eyJleHAi.c2ln\",algorithm=\"rsa-sha256\","
	    "signature=\"QUJDREVGR0g+/=\" end", NULL, 0,
	    "gateway: Authorization: Signature version=\"1\",headers=\"date host\","
	    "keyId=\"***\",algorithm=\"rsa-sha256\",signature=\"***\" end");
	/* Any case; a JSON-escaped echo that was not decoded. */
	check("KEYID=\"ocid1.tenancy/ocid1.user/6e:1b\" Signature=\"xyz\"", NULL, 0,
	    "KEYID=\"***\" Signature=\"***\"");
	check("{\\\"keyId\\\":1,keyId=\\\"ocid1.t/u/fp\\\"}", NULL, 0,
	    "{\\\"keyId\\\":1,keyId=\\\"***\\\"}");
	/* Cut off inside the value: the rest is masked all the same. */
	check("x signature=\"QUJDREVG", NULL, 0, "x signature=\"***");
}

static void
test_tokens(void **state)
{
	check("token ST$eyJhbGciOi.eyJleHAi.c2ln-_+/= was refused", NULL, 0,
	    "token ST$*** was refused");
	check("Authorization: Bearer abc.def-ghi rest; bearer  zzz", NULL, 0,
	    "Authorization: Bearer *** rest; bearer ***");
	check("no secrets here: 500 InternalError", NULL, 0, "no secrets here: 500 InternalError");
	check("", NULL, 0, "");
}

static void
test_own_secrets(void **state)
{
	const char *sec[] = { NULL, "eyJhbGciOiJSUzI1NiJ9.payload.sig" };

	check("token eyJhbGciOiJSUzI1NiJ9.payload.sig expired", sec, 2, "token *** expired");
	/* The server cut its echo inside the token: a 16+ prefix at the end is masked. */
	check("token eyJhbGciOiJSUzI1", sec, 2, "token ***");
	/* A short prefix is not taken for the token. */
	check("eyJhbG", sec, 2, "eyJhbG");
	/* Secrets shorter than 8 characters are not looked for (they would mask words). */
	{
		const char *tiny[] = { "abc" };
		check("abc abc", tiny, 1, "abc abc");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_authorization_header),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_own_secrets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
