/* test_hash.c — FNV-1a 64 and SplitMix64 against their reference values; hash_quick's
 * contract. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "hash.h"

static uint64_t
fnv_str(const char *s)
{
	return hash_fnv1a(HASH_FNV1A_INIT, s, strlen(s));
}

/* Vectors from the FNV reference (Fowler/Noll/Vo, test_fnv.c, FNV-1a 64). */
static void
test_fnv1a_vectors(void **state)
{
	(void)state;
	assert_int_equal(fnv_str(""), 0xcbf29ce484222325ULL);
	assert_int_equal(fnv_str("a"), 0xaf63dc4c8601ec8cULL);
	assert_int_equal(fnv_str("foobar"), 0x85944171f73967e8ULL);
}

/* Hashing in pieces is hashing the whole: state files hash header and body apart. */
static void
test_fnv1a_pieces(void **state)
{
	const char *s = "{\"version\":2,\"cursor_ms\":1741942800000}";
	size_t n = strlen(s);

	(void)state;
	for (size_t cut = 0; cut <= n; cut++)
		assert_int_equal(hash_fnv1a(hash_fnv1a(HASH_FNV1A_INIT, s, cut), s + cut, n - cut),
		    fnv_str(s));
}

/* SplitMix64 seeded with 0: its first three outputs (the reference sequence). */
static void
test_mix64(void **state)
{
	(void)state;
	assert_int_equal(hash_mix64(0), 0xe220a8397b1dcdafULL);
	assert_int_equal(hash_mix64(0x9E3779B97F4A7C15ULL), 0x6e789e6aa1b965f4ULL);
	assert_int_equal(hash_mix64(2 * 0x9E3779B97F4A7C15ULL), 0x06c45d188009454fULL);
}

static void
test_quick(void **state)
{
	char a[64], b[64];

	(void)state;
	memset(a, 'x', sizeof(a));
	memcpy(b, a, sizeof(b));
	/* never 0, the same for the same bytes, the length and every byte count */
	for (size_t n = 0; n <= sizeof(a); n++) {
		assert_int_not_equal(hash_quick(a, n), 0);
		assert_int_equal(hash_quick(a, n), hash_quick(b, n));
		if (n > 0)
			assert_int_not_equal(hash_quick(a, n), hash_quick(a, n - 1));
	}
	for (size_t i = 0; i < sizeof(b); i++) {
		b[i] = 'y';
		assert_int_not_equal(hash_quick(a, sizeof(a)), hash_quick(b, sizeof(b)));
		b[i] = 'x';
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fnv1a_vectors),
		cmocka_unit_test(test_fnv1a_pieces),
		cmocka_unit_test(test_mix64),
		cmocka_unit_test(test_quick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
