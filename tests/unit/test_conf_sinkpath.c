/*
 * test_conf_sinkpath.c — -t (conf_check_system) refuses a file sink whose path is a FIFO
 * or a folder, as start-up does (the sink would refuse it; a blocking open would have
 * hung it): issue 11 item 14, issue 10 item 9.
 */
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

#include "conf.h"

static char dir[] = "/tmp/test_conf_sinkpath_XXXXXX";

/* conf_check_system on a file sink at path: 0 or -1, err filled. */
static int
check(const char *path, struct conf_err *err)
{
	char cpath[256];
	struct conf *c;
	FILE *f;
	int rc;

	snprintf(cpath, sizeof(cpath), "%s/c.conf", dir);
	f = fopen(cpath, "w");
	assert_non_null(f);
	fprintf(f, "[daemon]\nstate_dir = %s\n[source a]\nquery = search \"x\"\n"
	    "[sink s]\ntype = file\npath = %s\n", dir, path);
	fclose(f);
	c = conf_load(cpath, err);
	if (c == NULL)
		fail_msg("did not load: %s", err->text ? err->text : "?");
	rc = conf_check_system(c, 0, err);
	conf_free(c);
	unlink(cpath);
	return rc;
}

static void
test_file_sink_path(void **state)
{
	struct conf_err err;
	char p[256];

	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0700), 0);
	/* A regular file, or none yet: fine. */
	snprintf(p, sizeof(p), "%s/out.ndjson", dir);
	assert_int_equal(check(p, &err), 0);
	/* A FIFO: refused, named. */
	snprintf(p, sizeof(p), "%s/fifo", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(check(p, &err), -1);
	assert_non_null(strstr(err.text, "[sink s] path: \""));
	assert_non_null(strstr(err.text, "is a FIFO, not a file"));
	conf_err_cleanup(&err);
	unlink(p);
	/* A folder. */
	assert_int_equal(check(dir, &err), -1);
	assert_non_null(strstr(err.text, "is a folder, not a file"));
	conf_err_cleanup(&err);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_sink_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
