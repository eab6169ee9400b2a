/* test_state.c — seen set and atomic checkpoint files, on a real temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "seen.h"
#include "state.h"

static char dir[64];

static int
mkdir_setup(void **state)
{
	strcpy(dir, "/tmp/test_state.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
rm_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_seen_basic(void **state)
{
	struct seen *s = seen_new();

	assert_non_null(s);
	for (uint64_t i = 0; i < 100000; i++)
		assert_int_equal(seen_add(s, i * 0x9E3779B97F4A7C15ULL, (int64_t)i), 1);
	assert_int_equal(seen_count(s), 100000);
	assert_int_equal(seen_add(s, 5 * 0x9E3779B97F4A7C15ULL, 7), 0);
	assert_true(seen_has(s, 99999 * 0x9E3779B97F4A7C15ULL));
	assert_false(seen_has(s, 12345));
	/* fingerprint 0 is a valid value too */
	assert_int_equal(seen_add(s, 0, 1), 0); /* i = 0 added fingerprint 0 already */
	assert_true(seen_has(s, 0));
	seen_expire(s, 50000);
	assert_true(seen_count(s) <= 50001);
	assert_false(seen_has(s, 10 * 0x9E3779B97F4A7C15ULL));
	assert_true(seen_has(s, 60000 * 0x9E3779B97F4A7C15ULL));
	seen_free(s);
	seen_free(NULL);
}

static void
test_seen_merge(void **state)
{
	struct seen *a = seen_new(), *b = seen_new();

	seen_add(a, 1, 1);
	seen_add(b, 2, 2);
	seen_add(b, 1, 1);
	assert_int_equal(seen_merge(a, b), 0);
	assert_int_equal(seen_count(a), 2);
	seen_free(a);
	seen_free(b);
}

static void
test_state_roundtrip(void **state)
{
	struct seen *s = seen_new(), *r = seen_new();
	struct state_err err;
	int64_t cur = 0;

	assert_int_equal(state_load(dir, "audit", &cur, r, &err), 0); /* first start */
	for (uint64_t i = 1; i <= 1000; i++)
		seen_add(s, i * 7919, (int64_t)i * 1000);
	assert_int_equal(state_save(dir, "audit", 1741942800123LL, s, &err), 0);
	assert_int_equal(state_load(dir, "audit", &cur, r, &err), 1);
	assert_int_equal(cur, 1741942800123LL);
	assert_int_equal(seen_count(r), 1000);
	assert_true(seen_has(r, 7919 * 500));
	/* overwrite atomically, no temporary left behind */
	assert_int_equal(state_save(dir, "audit", 1741942900000LL, NULL, &err), 0);
	{
		char tmp[256];
		snprintf(tmp, sizeof(tmp), "%s/audit.state.tmp", dir);
		assert_int_equal(access(tmp, F_OK), -1);
	}
	seen_free(r);
	r = seen_new();
	assert_int_equal(state_load(dir, "audit", &cur, r, &err), 1);
	assert_int_equal(cur, 1741942900000LL);
	assert_int_equal(seen_count(r), 0);
	seen_free(s);
	seen_free(r);
}

static void
write_file(const char *name, const char *content, size_t n)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	fwrite(content, 1, n, f);
	fclose(f);
}

static void
test_state_corrupt(void **state)
{
	struct state_err err;
	struct seen *s = seen_new();
	int64_t cur = 42;

	write_file("bad.state", "garbage\n", 8);
	assert_int_equal(state_load(dir, "bad", &cur, s, &err), -1);
	assert_non_null(strstr(err.msg, "corrupt"));
	assert_int_equal(cur, 42);

	write_file("empty.state", "", 0);
	assert_int_equal(state_load(dir, "empty", &cur, s, &err), -1);

	/* a truncated body */
	seen_add(s, 99, 1);
	assert_int_equal(state_save(dir, "trunc", 5, s, &err), 0);
	{
		char path[256];
		snprintf(path, sizeof(path), "%s/trunc.state", dir);
		struct stat st;
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(truncate(path, st.st_size - 3), 0);
	}
	assert_int_equal(state_load(dir, "trunc", &cur, s, &err), -1);
	assert_non_null(strstr(err.msg, "truncated"));

	/* a flipped byte in the body fails the checksum */
	assert_int_equal(state_save(dir, "flip", 5, s, &err), 0);
	{
		char path[256];
		FILE *f;
		snprintf(path, sizeof(path), "%s/flip.state", dir);
		f = fopen(path, "r+b");
		fseek(f, -1, SEEK_END);
		fputc(0x5A, f);
		fclose(f);
	}
	assert_int_equal(state_load(dir, "flip", &cur, s, &err), -1);
	assert_non_null(strstr(err.msg, "checksum"));
	seen_free(s);
}

static void
test_state_names(void **state)
{
	char p[256];

	assert_int_equal(state_path("/d", "a b/../c", p, sizeof(p)), 0);
	assert_string_equal(p, "/d/a_b_.._c.state");
	assert_int_equal(state_path("/d", "..", p, sizeof(p)), 0);
	assert_string_equal(p, "/d/_..state");
}

static void
test_state_unwritable(void **state)
{
	struct state_err err;

	assert_int_equal(state_save("/nonexistent/dir", "x", 1, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "cannot create"));
}

/* The checksum covers the header: an edited cursor is caught. */
static void
test_state_header_edit(void **state)
{
	struct state_err err;
	char path[256], buf[4096];
	int64_t cur = 0;
	FILE *f;
	size_t n;
	char *p;

	assert_int_equal(state_save(dir, "hdr", 5000, NULL, &err), 0);
	snprintf(path, sizeof(path), "%s/hdr.state", dir);
	f = fopen(path, "r+b");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	p = strstr(buf, "\"cursor_ms\":5000");
	assert_non_null(p);
	p[strlen("\"cursor_ms\":")] = '9'; /* same length: only the checksum can tell */
	fseek(f, 0, SEEK_SET);
	fwrite(buf, 1, n, f);
	fclose(f);
	assert_int_equal(state_load(dir, "hdr", &cur, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "checksum"));
	assert_int_equal(cur, 0);
}

/* Files written by version 1 (checksum over the entries only) are still read. */
static void
test_state_v1_still_read(void **state)
{
	struct state_err err;
	unsigned char e[16];
	char head[512], file[600];
	uint64_t fp = 0x1122334455667788ULL;
	int64_t t = 1700000000000LL, cur = 0;
	struct seen *s = seen_new();
	int n;

	for (int i = 0; i < 8; i++) {
		e[i] = (unsigned char)(fp >> (8 * i));
		e[8 + i] = (unsigned char)((uint64_t)t >> (8 * i));
	}
	n = snprintf(head, sizeof(head), "{\"version\":1,\"source\":\"old\",\"cursor\":"
	    "\"2023-11-14T22:13:20.000Z\",\"cursor_ms\":1700000000000,\"entries\":1,"
	    "\"checksum\":\"%016llx\"}\n", (unsigned long long)hash_fnv1a(HASH_FNV1A_INIT, e, 16));
	memcpy(file, head, (size_t)n);
	memcpy(file + n, e, 16);
	write_file("old.state", file, (size_t)n + 16);
	assert_non_null(s);
	assert_int_equal(state_load(dir, "old", &cur, s, &err), 1);
	assert_int_equal(cur, 1700000000000LL);
	assert_true(seen_has(s, fp));
	/* a version-1 file whose entries were altered still fails */
	file[n + 3] ^= 1;
	write_file("old2.state", file, (size_t)n + 16);
	assert_int_equal(state_load(dir, "old2", &cur, s, &err), -1);
	seen_free(s);
}

/* A symlink planted at <source>.state.tmp is not followed; files are 0600. */
static void
test_state_tmp_symlink(void **state)
{
	struct state_err err;
	char victim[256], tmp[256], path[256], buf[16] = "";
	struct stat st;
	FILE *f;
	int64_t cur = 0;

	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(tmp, sizeof(tmp), "%s/s.state.tmp", dir);
	snprintf(path, sizeof(path), "%s/s.state", dir);
	write_file("victim", "keep", 4);
	assert_int_equal(symlink(victim, tmp), 0);
	assert_int_equal(state_save(dir, "s", 77000, NULL, &err), 0);
	f = fopen(victim, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof(buf) - 1, f), 4);
	fclose(f);
	assert_string_equal(buf, "keep");
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_not_equal(lstat(tmp, &st), 0);
	assert_int_equal(state_load(dir, "s", &cur, NULL, &err), 1);
	assert_int_equal(cur, 77000);
}

/* The delivered set is bounded (clamped times, a count cap). */
static void
test_seen_clamp_trim(void **state)
{
	struct seen *s = seen_new();

	assert_non_null(s);
	for (int64_t i = 0; i < 1000; i++)
		assert_int_equal(seen_add(s, (uint64_t)(i + 1) * 0x9E3779B97F4A7C15ULL, i), 1);
	assert_int_equal(seen_trim(s, 100), 0);
	assert_true(seen_count(s) <= 100 && seen_count(s) >= 99);
	assert_true(seen_has(s, 1000 * 0x9E3779B97F4A7C15ULL));  /* newest kept */
	assert_false(seen_has(s, 1 * 0x9E3779B97F4A7C15ULL));    /* oldest gone */
	assert_int_equal(seen_trim(s, 1000), 0);                  /* under the cap: no-op */
	assert_true(seen_count(s) >= 99);
	/* a record stamped in year 2200 expires once clamped */
	assert_int_equal(seen_add(s, 4242, 7258118400000LL), 1);
	seen_clamp(s, 2000);
	seen_expire(s, 2001);
	assert_false(seen_has(s, 4242));
	assert_int_equal(seen_count(s), 0);
	/* every entry at INT64_MAX: trimming does not overflow */
	assert_int_equal(seen_add(s, 1, INT64_MAX), 1);
	assert_int_equal(seen_add(s, 2, INT64_MAX), 1);
	assert_int_equal(seen_trim(s, 1), 0);
	assert_true(seen_count(s) <= 1);
	seen_free(s);
}

/* Extreme cursors are written and read back without overflow (run under UBSan). */
static void
test_state_extreme_cursors(void **state)
{
	struct state_err err;
	const int64_t v[] = { INT64_MAX, INT64_MIN, -1, -1001, 0 };
	int64_t cur;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(state_save(dir, "x", v[i], NULL, &err), 0);
		cur = 12345;
		assert_int_equal(state_load(dir, "x", &cur, NULL, &err), 1);
		assert_true(cur == v[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seen_basic),
		cmocka_unit_test(test_seen_merge),
		cmocka_unit_test_setup_teardown(test_state_roundtrip, mkdir_setup, rm_teardown),
		cmocka_unit_test_setup_teardown(test_state_corrupt, mkdir_setup, rm_teardown),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_state_unwritable),
		cmocka_unit_test_setup_teardown(test_state_header_edit, mkdir_setup, rm_teardown),
		cmocka_unit_test_setup_teardown(test_state_v1_still_read, mkdir_setup, rm_teardown),
		cmocka_unit_test_setup_teardown(test_state_tmp_symlink, mkdir_setup, rm_teardown),
		cmocka_unit_test(test_seen_clamp_trim),
		cmocka_unit_test_setup_teardown(test_state_extreme_cursors, mkdir_setup, rm_teardown),
	};
	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
