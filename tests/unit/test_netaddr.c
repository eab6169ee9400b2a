/* test_netaddr.c — address parsing, IPv4/IPv6 matching, this host's addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netaddr.h"

static int
parse(const char *s, struct netaddr *a)
{
	return netaddr_parse(s, strlen(s), a);
}

/* Parses s and formats it back. */
static void
roundtrip(const char *s, const char *want)
{
	struct netaddr a;
	char out[64];

	assert_int_equal(parse(s, &a), 0);
	assert_string_equal(netaddr_format(&a, out, sizeof(out)), want);
}

static void
test_parse(void **state)
{
	struct netaddr a;
	static const char *const bad[] = { "", "10.0.0", "10.0.0.256", "10.0.0.1.2",
		"10.0.0.1 ", " 10.0.0.1", "-", "null", "fe80::1%", "2001:db8::g", "1:2:3:4:5:6:7:8:9",
		"[10.0.0.1", "[]", "10.0.0.1/24", "0x0a.0.0.1",
		"12345678901234567890123456789012345678901234567890123456789012345" };
	size_t i;

	assert_int_equal(parse("10.0.1.5", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_memory_equal(a.a, ((unsigned char[]){ 10, 0, 1, 5 }), 4);
	roundtrip("192.0.2.2", "192.0.2.2");
	roundtrip("2001:DB8:0:0::1", "2001:db8::1");
	roundtrip("[2001:db8::1]", "2001:db8::1");
	roundtrip("fe80::1%eth0", "fe80::1");
	roundtrip("::ffff:10.0.1.5", "10.0.1.5");
	roundtrip("::1", "::1");
	assert_int_equal(parse("::ffff:10.0.1.5", &a), 0);
	assert_int_equal(a.family, AF_INET);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&a, 0x5a, sizeof(a));
		assert_int_equal(parse(bad[i], &a), -1);
		assert_int_equal(a.family, 0x5a5a5a5a); /* untouched on error */
	}
	/* Not NUL-terminated: only len bytes count. */
	assert_int_equal(netaddr_parse("10.0.1.59999", 8, &a), 0);
	assert_memory_equal(a.a, ((unsigned char[]){ 10, 0, 1, 5 }), 4);
	assert_int_equal(netaddr_parse("10.0\0.1.5", 9, &a), -1);
	assert_int_equal(netaddr_parse(NULL, 0, &a), -1);
}

static void
test_equal_and_loopback(void **state)
{
	struct netaddr a, b;

	assert_int_equal(parse("10.0.1.5", &a), 0);
	assert_int_equal(parse("::ffff:10.0.1.5", &b), 0);
	assert_true(netaddr_equal(&a, &b));
	assert_int_equal(parse("10.0.1.6", &b), 0);
	assert_false(netaddr_equal(&a, &b));
	/* The same bits under another family are another address. */
	assert_int_equal(parse("a00:105::", &b), 0);
	assert_false(netaddr_equal(&a, &b));
	assert_int_equal(parse("2001:db8::1", &a), 0);
	assert_int_equal(parse("2001:0db8:0000::0001", &b), 0);
	assert_true(netaddr_equal(&a, &b));
	assert_false(netaddr_is_loopback(&a));
	assert_int_equal(parse("127.0.0.1", &a), 0);
	assert_true(netaddr_is_loopback(&a));
	assert_int_equal(parse("127.9.8.7", &a), 0);
	assert_true(netaddr_is_loopback(&a));
	assert_int_equal(parse("::1", &a), 0);
	assert_true(netaddr_is_loopback(&a));
	assert_int_equal(parse("::2", &a), 0);
	assert_false(netaddr_is_loopback(&a));
}

static void
test_set_match(void **state)
{
	struct netaddr_set *s = netaddr_set_new();
	struct netaddr a, got;
	size_t i;

	assert_non_null(s);
	assert_int_equal(netaddr_set_count(s), 0);
	assert_int_equal(netaddr_set_match(s, "10.0.1.5", 8, NULL), 0);
	assert_int_equal(parse("10.0.1.5", &a), 0);
	assert_int_equal(netaddr_set_add(s, &a), 0);
	assert_int_equal(netaddr_set_add(s, &a), 0); /* duplicate ignored */
	assert_int_equal(parse("2001:db8:1::5", &a), 0);
	assert_int_equal(netaddr_set_add(s, &a), 0);
	assert_int_equal(netaddr_set_count(s), 2);
	/* Enough to make the array grow. */
	for (i = 0; i < 20; i++) {
		char t[32];
		snprintf(t, sizeof(t), "192.0.2.%zu", i + 1);
		assert_int_equal(parse(t, &a), 0);
		assert_int_equal(netaddr_set_add(s, &a), 0);
	}
	assert_int_equal(netaddr_set_count(s), 22);
	assert_non_null(netaddr_set_get(s, 21));
	assert_null(netaddr_set_get(s, 22));

	assert_int_equal(netaddr_set_match(s, "10.0.1.5", 8, &got), 1);
	assert_int_equal(got.family, AF_INET);
	assert_int_equal(netaddr_set_match(s, "::ffff:10.0.1.5", 15, NULL), 1);
	assert_int_equal(netaddr_set_match(s, "2001:DB8:1:0::5", 15, NULL), 1);
	assert_int_equal(netaddr_set_match(s, "192.0.2.20", 10, NULL), 1);
	assert_int_equal(netaddr_set_match(s, "192.0.2.21", 10, NULL), 0);
	assert_int_equal(netaddr_set_match(s, "10.0.1.50", 9, NULL), 0);
	assert_int_equal(netaddr_set_match(s, "2001:db8:1::6", 13, NULL), 0);
	assert_int_equal(netaddr_set_match(s, "-", 1, NULL), 0);
	assert_int_equal(netaddr_set_match(s, NULL, 0, NULL), 0);
	netaddr_set_free(s);
	netaddr_set_free(NULL);
}

static void
test_local(void **state)
{
	struct netaddr_set *s = netaddr_set_new();
	struct netaddr_err err;
	struct netaddr a;
	size_t i, n;

	assert_non_null(s);
	assert_int_equal(netaddr_set_add_local(s, &err), 0);
	n = netaddr_set_count(s);
	assert_true(n >= 1);
	/* Every host has loopback. */
	assert_int_equal(netaddr_set_match(s, "127.0.0.1", 9, NULL), 1);
	assert_int_equal(netaddr_set_match(s, "192.0.2.255", 11, NULL), 0);
	/* Each address is there once and formats back to something that parses to it. */
	for (i = 0; i < n; i++) {
		char t[64];
		const struct netaddr *x = netaddr_set_get(s, i);
		size_t j;

		assert_int_equal(parse(netaddr_format(x, t, sizeof(t)), &a), 0);
		assert_true(netaddr_equal(&a, x));
		for (j = i + 1; j < n; j++)
			assert_false(netaddr_equal(x, netaddr_set_get(s, j)));
	}
	/* Adding them again changes nothing. */
	assert_int_equal(netaddr_set_add_local(s, &err), 0);
	assert_int_equal(netaddr_set_count(s), n);
	netaddr_set_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_equal_and_loopback),
		cmocka_unit_test(test_set_match),
		cmocka_unit_test(test_local),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
