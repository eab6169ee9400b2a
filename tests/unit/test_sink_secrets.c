/*
 * test_sink_secrets.c — the Basic credential curl builds from a URL's userinfo (and the
 * one built from username/password) never reaches a log line or a dead-letter record,
 * even from a server that echoes the request's headers in its 400 (issue 11 item 10).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <unistd.h>

#include "sink_testsrv.h"

/* Echoes the request's headers back in a 400, as some servers do. */
static void
echo_headers(struct ts *t, const struct ts_req *r, int *code, struct buf *body)
{
	*code = 400;
	buf_printf(body, "{\"error\":\"denied\",\"request_headers\":\"%s\"}", r->headers);
}

static void
b64(const char *in, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)in, (int)strlen(in));
}

/*
 * One rejected event through a sink at http://USERINFO127.0.0.1:PORT/in (and username/password when
 * given); fails when any of secrets[] is in the log or the dead-letter file, or when the
 * server did not see want_auth (the test would prove nothing).
 */
static void
check_masked(const char *userinfo, const char *user, const char *pass, const char *want_auth,
    const char *const *secrets, size_t n_secrets)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;
	struct err err;
	char logp[] = "/tmp/test_sink_sec_log_XXXXXX", dlp[] = "/tmp/test_sink_sec_dl_XXXXXX";
	char full[256], logtxt[65536], dltxt[65536];
	int lfd = mkstemp(logp), dfd = mkstemp(dlp), saved;
	ssize_t n;
	size_t i;

	assert_true(lfd >= 0 && dfd >= 0);
	ts_start(&t);
	t.answer = echo_headers;
	snprintf(full, sizeof(full), "http://%s127.0.0.1:%d/in", userinfo, t.port);
	ts_cfg(&k, CONF_SINK_HTTP, full);
	k.username = (char *)user;
	k.password = (char *)pass;
	k.dead_letter = dlp;
	k.max_in_flight = 1;
	fflush(stderr);
	saved = dup(2);
	dup2(lfd, 2);
	s = sink_new(t.base, t.client, &k, "/tmp", &err);
	if (s != NULL)
		ts_send(&t, s, 3, 0);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	if (s == NULL)
		fail_msg("sink_new: %s", err.msg);
	assert_int_equal(t.counts.dead_letter, 3);
	assert_true(t.n >= 1);
	/* The server did receive the credential (the check below is not vacuous). */
	assert_non_null(strstr(t.req[0].headers, want_auth));
	n = pread(lfd, logtxt, sizeof(logtxt) - 1, 0);
	assert_true(n > 0);
	logtxt[n] = '\0';
	n = pread(dfd, dltxt, sizeof(dltxt) - 1, 0);
	assert_true(n > 0);
	dltxt[n] = '\0';
	assert_non_null(strstr(logtxt, "HTTP 400"));
	assert_non_null(strstr(dltxt, "request_headers")); /* the excerpt is there, masked */
	for (i = 0; i < n_secrets; i++) {
		if (strstr(logtxt, secrets[i]) != NULL)
			fail_msg("the log shows %s:\n%s", secrets[i], logtxt);
		if (strstr(dltxt, secrets[i]) != NULL)
			fail_msg("the dead letters show %s:\n%s", secrets[i], dltxt);
	}
	close(lfd);
	close(dfd);
	unlink(logp);
	unlink(dlp);
	sink_free(s);
	ts_stop(&t);
}

static void
test_url_userinfo_basic(void **state)
{
	char basic[64], auth[96];
	const char *secrets[] = {basic, "PASSW0RD", "P@SSW0RD"};

	/* %40 is '@': curl sends the decoded password, so the decoded form is masked too. */
	b64("bob:P@SSW0RD", basic);
	snprintf(auth, sizeof(auth), "Authorization: Basic %s", basic);
	check_masked("bob:P%40SSW0RD@", NULL, NULL, auth, secrets, 3);
}

static void
test_url_plain_password(void **state)
{
	char basic[64], auth[96];
	const char *secrets[] = {basic, "PASSW0RD"};

	b64("bob:PASSW0RD", basic);
	snprintf(auth, sizeof(auth), "Authorization: Basic %s", basic);
	check_masked("bob:PASSW0RD@", NULL, NULL, auth, secrets, 2);
}

static void
test_configured_basic(void **state)
{
	char basic[64], auth[96];
	const char *secrets[] = {basic, "hunter2xyz"};

	b64("alice:hunter2xyz", basic);
	snprintf(auth, sizeof(auth), "Authorization: Basic %s", basic);
	check_masked("", "alice", "hunter2xyz", auth, secrets, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_userinfo_basic),
		cmocka_unit_test(test_url_plain_password),
		cmocka_unit_test(test_configured_basic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
