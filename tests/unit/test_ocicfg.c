/* test_ocicfg.c — OCI SDK config file: profiles, DEFAULT inheritance, ~, key modes. */
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

#include "ocicfg.h"

#define CFG "tests/data/oci/testonly-config"

static void
test_default_profile(void **state)
{
	struct ocicfg_profile p;
	struct ocicfg_err err;

	setenv("HOME", "/home/tester", 1);
	assert_int_equal(ocicfg_load(CFG, NULL, &p, &err), 0);
	assert_string_equal(p.tenancy, "ocid1.tenancy.oc1..aaaaaaaatestonlytenancy");
	assert_string_equal(p.user, "ocid1.user.oc1..aaaaaaaatestonlydefaultuser"); /* "User" */
	assert_string_equal(p.key_file, "/home/tester/.oci/testonly_default.pem");
	assert_string_equal(p.fingerprint, "6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af");
	assert_string_equal(p.region, "us-ashburn-1");
	assert_null(p.pass_phrase);
	assert_null(p.security_token_file);
	assert_int_equal(ocicfg_require_api_key(&p, CFG, NULL, &err), 0);
	ocicfg_profile_cleanup(&p);
}

static void
test_profile_inherits(void **state)
{
	struct ocicfg_profile p;
	struct ocicfg_err err;

	setenv("HOME", "/home/tester", 1);
	assert_int_equal(ocicfg_load(CFG, "ops", &p, &err), 0);
	assert_string_equal(p.user, "ocid1.user.oc1..aaaaaaaatestonlyopsuser");
	assert_string_equal(p.key_file, "/etc/oci-logfwd/ops key.pem");
	assert_string_equal(p.pass_phrase, "a=b=c"); /* split on the first '=' only */
	assert_string_equal(p.region, "fra");
	/* inherited */
	assert_string_equal(p.tenancy, "ocid1.tenancy.oc1..aaaaaaaatestonlytenancy");
	assert_string_equal(p.fingerprint, "6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af");
	ocicfg_profile_cleanup(&p);

	assert_int_equal(ocicfg_load(CFG, "session", &p, &err), 0);
	assert_string_equal(p.security_token_file, "/home/tester/.oci/sessions/ops/token");
	assert_string_equal(p.key_file, "/home/tester/.oci/sessions/ops/oci_api_key.pem");
	assert_string_equal(p.pass_phrase, "go-style");
	assert_int_equal(ocicfg_require_api_key(&p, CFG, "session", &err), 0);
	ocicfg_profile_cleanup(&p);
}

static void
test_errors(void **state)
{
	struct ocicfg_profile p;
	struct ocicfg_err err;
	char path[] = "/tmp/test_ocicfg_XXXXXX";
	int fd;
	FILE *f;

	assert_int_equal(ocicfg_load(CFG, "nosuch", &p, &err), -1);
	assert_non_null(strstr(err.msg, "no profile [nosuch]"));
	assert_non_null(strstr(err.msg, "ops"));
	assert_int_equal(ocicfg_load("/nonexistent/config", NULL, &p, &err), -1);
	assert_non_null(strstr(err.msg, "cannot open OCI config file /nonexistent/config"));

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("[DEFAULT]\ntenancy=t\nkey_file=/k\nfingerprint=AA:BB\nuser=u\n[nouser]\n"
	    "user=\n", f);
	fclose(f);
	assert_int_equal(ocicfg_load(path, NULL, &p, &err), 0);
	assert_int_equal(ocicfg_require_api_key(&p, path, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "fingerprint"));
	ocicfg_profile_cleanup(&p);
	unlink(path);

	memset(&p, 0, sizeof(p));
	p.tenancy = (char *)"t";
	assert_int_equal(ocicfg_require_api_key(&p, "x", "y", &err), -1);
	assert_non_null(strstr(err.msg, "missing `key_file`"));
	ocicfg_profile_cleanup(NULL);
}

static void
test_key_perms(void **state)
{
	struct ocicfg_err err;
	char path[] = "/tmp/test_ocicfg_key_XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(ocicfg_check_key_perms(path, &err), 0);
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(ocicfg_check_key_perms(path, &err), 0);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(ocicfg_check_key_perms(path, &err), -1);
	assert_non_null(strstr(err.msg, "chmod 600 "));
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(ocicfg_check_key_perms(path, &err), -1);
	unlink(path);
	assert_int_equal(ocicfg_check_key_perms(path, &err), -1);
}

static void
test_expand_fp(void **state)
{
	char *s;

	setenv("HOME", "/h", 1);
	s = ocicfg_expand_home("~");
	assert_string_equal(s, "/h");
	free(s);
	s = ocicfg_expand_home("~/a/b");
	assert_string_equal(s, "/h/a/b");
	free(s);
	s = ocicfg_expand_home("~other/x"); /* not ours: left alone */
	assert_string_equal(s, "~other/x");
	free(s);
	assert_true(ocicfg_fingerprint_valid("73:61:a2:21:67:e0:df:be:7e:4b:93:1e:15:98:a5:b7"));
	assert_false(ocicfg_fingerprint_valid("73:61:A2:21:67:e0:df:be:7e:4b:93:1e:15:98:a5:b7"));
	assert_false(ocicfg_fingerprint_valid("73:61:a2:21:67:e0:df:be:7e:4b:93:1e:15:98:a5"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_profile),
		cmocka_unit_test(test_profile_inherits),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_key_perms),
		cmocka_unit_test(test_expand_fp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
