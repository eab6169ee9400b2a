/*
 * pipeline_testdir.h — shared by the tests that run a whole pipeline from a configuration
 * file (test_pipeline_reload.c, test_pipeline_backpressure.c; included, static only): a
 * temporary folder holding the test-only API key, an OCI SDK config naming it, and a
 * state folder `st`; files written into it; a configuration loaded from it.
 */
#ifndef PIPELINE_TESTDIR_H
#define PIPELINE_TESTDIR_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "conf.h"

/* Writes text to dir/name with mode (asserting it worked). */
static inline void
testdir_write(const char *dir, const char *name, const char *text, mode_t mode)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(p, mode), 0);
}

/*
 * Makes dir (a mkdtemp template) and fills it: key.pem (tests/data/oci's test-only key),
 * oci-config (an SDK config for it, region us-ashburn-1) and the folder st.  0 or -1.
 */
static inline int
testdir_setup_oci(char *dir)
{
	FILE *in;
	char text[8192];
	size_t n;

	if (!mkdtemp(dir))
		return -1;
	in = fopen("tests/data/oci/testonly-api-key.pem", "r");
	if (in == NULL)
		return -1;
	n = fread(text, 1, sizeof(text) - 1, in);
	fclose(in);
	text[n] = '\0';
	testdir_write(dir, "key.pem", text, 0600);
	snprintf(text, sizeof(text),
	    "[DEFAULT]\ntenancy = ocid1.tenancy.oc1..aaaaaaaatestonlytenancy\n"
	    "user = ocid1.user.oc1..aaaaaaaatestonlyuser\n"
	    "fingerprint = 6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af\n"
	    "key_file = %s/key.pem\nregion = us-ashburn-1\n", dir);
	testdir_write(dir, "oci-config", text, 0600);
	snprintf(text, sizeof(text), "%s/st", dir);
	return mkdir(text, 0700);
}

/* text as dir/t.conf, loaded (asserting it is a valid configuration). */
static inline struct conf *
testdir_conf(const char *dir, const char *text)
{
	char p[PATH_MAX];
	struct conf_err err;
	struct conf *c;

	testdir_write(dir, "t.conf", text, 0600);
	snprintf(p, sizeof(p), "%s/t.conf", dir);
	c = conf_load(p, &err);
	if (c == NULL)
		fail_msg("conf: %s", err.text);
	return c;
}

#endif
