/*
 * test_regfile.c — secret and config files that are not regular files are refused before
 * they are read: a FIFO (which blocked fopen() until a writer came, freezing start-up or
 * a reload), a folder, a character device.  alarm() turns a block into a failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "http.h"
#include "oci.h"
#include "ocicfg.h"
#include "regfile.h"
#include "signer.h"

static char dir[64], fifo[128], reg[128];

static int
setup(void **state)
{
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/test_regfile.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(reg, sizeof(reg), "%s/reg", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	f = fopen(reg, "w");
	assert_non_null(f);
	fputs("hello\n", f);
	fclose(f);
	alarm(10); /* a blocking open fails the test instead of hanging it */
	return 0;
}

static int
teardown(void **state)
{
	alarm(0);
	unlink(fifo);
	unlink(reg);
	rmdir(dir);
	return 0;
}

static void
test_regfile_refuses_non_regular(void **state)
{
	const char *bad[] = { fifo, dir, "/dev/zero", "/dev/null" };
	char line[16];
	FILE *f;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_null(regfile_fopen(bad[i], "r"));
		assert_int_equal(errno, REGFILE_ENOTREG);
		assert_string_equal(regfile_strerror(errno), "not a regular file");
	}
	errno = 0;
	assert_null(regfile_fopen("/nonexistent/x", "r"));
	assert_int_equal(errno, ENOENT);
	f = regfile_fopen(reg, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "hello\n");
	fclose(f);
}

static void
test_key_file_fifo_refused(void **state)
{
	struct signer_err err;

	memset(&err, 0, sizeof(err));
	assert_null(signer_load_key_file(fifo, NULL, &err));
	assert_non_null(strstr(err.msg, "not a regular file"));
}

static void
test_oci_config_fifo_refused(void **state)
{
	struct ocicfg_profile p;
	struct ocicfg_err err;

	memset(&p, 0, sizeof(p));
	memset(&err, 0, sizeof(err));
	assert_int_equal(ocicfg_load(fifo, NULL, &p, &err), -1);
	assert_non_null(strstr(err.msg, "not a regular file"));
	ocicfg_profile_cleanup(&p);
}

/* auth = security_token with a FIFO as the profile's security_token_file. */
static void
test_session_token_fifo_refused(void **state)
{
	char cfg[160], key[160], cmd[400];
	struct event_base *base = event_base_new();
	struct http *h = http_new(base);
	struct conf_oci oc;
	struct oci_err err;
	FILE *f;

	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cmd, sizeof(cmd), "cp tests/data/oci/testonly-api-key.pem %s && chmod 600 %s",
	    key, key);
	assert_int_equal(system(cmd), 0);
	snprintf(cfg, sizeof(cfg), "%s/config", dir);
	f = fopen(cfg, "w");
	assert_non_null(f);
	fprintf(f, "[DEFAULT]\ntenancy=ocid1.tenancy.oc1..t\nregion=iad\nkey_file=%s\n"
	    "security_token_file=%s\n", key, fifo);
	fclose(f);
	memset(&oc, 0, sizeof(oc));
	oc.auth = CONF_AUTH_SECURITY_TOKEN;
	oc.config_file = cfg;
	oc.profile = "DEFAULT";
	memset(&err, 0, sizeof(err));
	assert_null(oci_client_new(base, h, &oc, &err));
	assert_non_null(strstr(err.msg, "not a regular file"));
	unlink(cfg);
	unlink(key);
	http_free(h);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_regfile_refuses_non_regular, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_file_fifo_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oci_config_fifo_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_token_fifo_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
