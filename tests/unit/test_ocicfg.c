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

#include <event2/event.h>

#include "conf.h"
#include "oci.h"
#include "ocicfg.h"
#include "signer.h"

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
	assert_int_equal(ocicfg_signing_mode(&p, 0, CFG, NULL, &err), 0);
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
	/* `User` comes from [DEFAULT]: the API key signs, as in the Go SDK */
	assert_int_equal(ocicfg_signing_mode(&p, 0, CFG, "session", &err), 0);
	/* auth = security_token */
	assert_int_equal(ocicfg_signing_mode(&p, 1, CFG, "session", &err), 1);
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
	assert_int_equal(ocicfg_signing_mode(&p, 0, path, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "fingerprint"));
	ocicfg_profile_cleanup(&p);
	unlink(path);

	memset(&p, 0, sizeof(p));
	p.tenancy = (char *)"t";
	assert_int_equal(ocicfg_signing_mode(&p, 0, "x", "y", &err), -1);
	assert_non_null(strstr(err.msg, "missing `key_file`"));
	ocicfg_profile_cleanup(NULL);
}

/* Loads text as a config file and returns ocicfg_signing_mode for profile. */
static int
mode_of(const char *text, const char *profile, int want_token, struct ocicfg_err *err)
{
	struct ocicfg_profile p;
	char path[] = "/tmp/test_ocicfg_XXXXXX";
	int fd = mkstemp(path), rc;
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(ocicfg_load(path, profile, &p, err), 0);
	rc = ocicfg_signing_mode(&p, want_token, path, profile, err);
	ocicfg_profile_cleanup(&p);
	unlink(path);
	return rc;
}

#define FP "fingerprint=6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af\n"

/* `user` and security_token_file together sign with the API key, wherever
 * each comes from; auth = security_token chooses the token. */
static void
test_signing_mode(void **state)
{
	struct ocicfg_err err;

	/* both in the profile */
	assert_int_equal(mode_of("[p]\ntenancy=t\nkey_file=/k\nuser=u\n" FP
	    "security_token_file=/tok\n", "p", 0, &err), 0);
	/* user from [DEFAULT], token in the profile */
	assert_int_equal(mode_of("[DEFAULT]\ntenancy=t\nuser=u\n" FP "[p]\nkey_file=/k\n"
	    "security_token_file=/tok\n", "p", 0, &err), 0);
	/* token from [DEFAULT], user in the profile */
	assert_int_equal(mode_of("[DEFAULT]\ntenancy=t\nsecurity_token_file=/tok\n[p]\n"
	    "key_file=/k\nuser=u\n" FP, "p", 0, &err), 0);
	/* a token and no user: the session token (no fingerprint needed) */
	assert_int_equal(mode_of("[DEFAULT]\ntenancy=t\nkey_file=/k\n"
	    "security_token_file=/tok\n", NULL, 0, &err), 1);
	assert_int_equal(mode_of("[DEFAULT]\ntenancy=t\nkey_file=/k\nuser=\n"
	    "security_token_file=/tok\n", NULL, 0, &err), 1);
	/* auth = security_token: the token even with a user */
	assert_int_equal(mode_of("[DEFAULT]\ntenancy=t\nuser=u\n" FP "[p]\nkey_file=/k\n"
	    "security_token_file=/tok\n", "p", 1, &err), 1);
	/* ... and a clear error without one */
	assert_int_equal(mode_of("[DEFAULT]\ntenancy=t\nkey_file=/k\nuser=u\n" FP, NULL, 1,
	    &err), -1);
	assert_non_null(strstr(err.msg, "auth = security_token"));
	assert_non_null(strstr(err.msg, "security_token_file"));
	/* the API key chosen but incomplete: the token does not cover for it */
	assert_int_equal(mode_of("[DEFAULT]\ntenancy=t\nkey_file=/k\nuser=u\n"
	    "security_token_file=/tok\n", NULL, 0, &err), -1);
	assert_non_null(strstr(err.msg, "missing `fingerprint`"));
	/* the token still needs tenancy and key_file */
	assert_int_equal(mode_of("[DEFAULT]\nkey_file=/k\nsecurity_token_file=/tok\n", NULL, 1,
	    &err), -1);
	assert_non_null(strstr(err.msg, "missing `tenancy`"));
}

/* The keyId the OCI client signs with, for a config and [oci] auth. */
static char *
client_key_id(const char *dir, const char *profile, enum conf_auth auth)
{
	struct event_base *base = event_base_new();
	struct conf_oci oc;
	struct oci_err err;
	struct oci_client *c;
	struct oci_headers h;
	struct signer_auth a;
	char cfg[200], *id = NULL;
	size_t i;

	assert_non_null(base);
	snprintf(cfg, sizeof(cfg), "%s/config", dir);
	memset(&oc, 0, sizeof(oc));
	oc.config_file = cfg;
	oc.profile = (char *)profile;
	oc.auth = auth;
	c = oci_client_new(base, NULL, &oc, &err);
	if (c == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(oci_client_sign(c, "GET", "https://h.example/x", NULL, 0, &h, &err), 0);
	for (i = 0; i < h.n; i++)
		if (strncmp(h.lines[i], "Authorization: ", 15) == 0) {
			assert_int_equal(signer_parse_authorization(h.lines[i] + 15, &a), 0);
			id = strdup(a.key_id);
			signer_auth_cleanup(&a);
		}
	assert_non_null(id);
	oci_headers_cleanup(&h);
	oci_client_free(c);
	event_base_free(base);
	return id;
}

/* The daemon's OCI client follows ocicfg_signing_mode: `user` inherited from [DEFAULT]
 * plus a token in the profile signs with the API key; auth = security_token with the
 * token. */
static void
test_client_choice(void **state)
{
	char dir[] = "/tmp/test_ocicfg_XXXXXX", path[300], cmd[600], *id;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp tests/data/oci/testonly-api-key.pem %s/ && "
	    "chmod 600 %s/testonly-api-key.pem && printf 'eyJhbGciOi.eyJleHAiOjF9.c2ln\\n' > "
	    "%s/token", dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/config", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "[DEFAULT]\ntenancy=ocid1.tenancy.oc1..t\nuser=ocid1.user.oc1..u\n" FP
	    "key_file=%s/testonly-api-key.pem\nregion=fra\n[sess]\n"
	    "security_token_file=%s/token\n", dir, dir);
	fclose(f);
	id = client_key_id(dir, "sess", CONF_AUTH_API_KEY);
	assert_string_equal(id, "ocid1.tenancy.oc1..t/ocid1.user.oc1..u/"
	    "6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af");
	free(id);
	id = client_key_id(dir, "sess", CONF_AUTH_SECURITY_TOKEN);
	assert_string_equal(id, "ST$eyJhbGciOi.eyJleHAiOjF9.c2ln");
	free(id);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
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
		cmocka_unit_test(test_signing_mode),
		cmocka_unit_test(test_client_choice),
		cmocka_unit_test(test_key_perms),
		cmocka_unit_test(test_expand_fp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
