/*
 * test_pipeline_reload.c — lib/pipeline's reload, in milliseconds, with file sinks and an
 * OCI endpoint nobody listens on (the source's searches fail; nothing here needs them):
 * a reload with a sink that cannot be built changes nothing (it is applied whole or not at all), a removed
 * sink drains and goes, a changed sink is replaced under its name, a metrics address in
 * use refuses the whole reload.  What runs is read from the metrics page.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "pipeline.h"
#include "pipeline_testdir.h"

static char tmpdir[] = "/tmp/test_pipeline_reload.XXXXXX";
static char head[PATH_MAX * 4];  /* [daemon] keys, then [oci] and [source s] */
static char head_rest[PATH_MAX * 4];

/* Loads head + daemon_extra + the rest + sinks as a configuration (asserting it is valid). */
static struct conf *
conf_of2(const char *daemon_extra, const char *sinks)
{
	struct buf b;
	struct conf *c;

	buf_init(&b, 0);
	buf_append_str(&b, head);
	buf_append_str(&b, daemon_extra);
	buf_append_str(&b, head_rest);
	buf_append_str(&b, sinks);
	c = testdir_conf(tmpdir, b.data);
	buf_cleanup(&b);
	return c;
}

static struct conf *
conf_of(const char *sinks)
{
	return conf_of2("", sinks);
}

/* "[sink NAME] type = file ..." writing to tmpdir/FILE. */
static const char *
file_sink(char *out, size_t n, const char *name, const char *file, const char *extra)
{
	snprintf(out, n, "[sink %s]\ntype = file\npath = %s/%s\ndead_letter = %s/dl-%s\n%s",
	    name, tmpdir, file, tmpdir, name, extra);
	return out;
}

/* How many sink series named name the metrics page has (queue gauge: one per sink). */
static int
sink_rows(struct pipeline *p, const char *name)
{
	struct buf b;
	char want[128];
	int n = 0;

	buf_init(&b, 0);
	assert_int_equal(pipeline_render_metrics(p, &b), 0);
	snprintf(want, sizeof(want), "oci_logfwd_sink_queue_events{sink=\"%s\"}", name);
	for (const char *s = b.data; (s = strstr(s, want)) != NULL; s++)
		n++;
	buf_cleanup(&b);
	return n;
}

static void
spin(struct event_base *base)
{
	for (int i = 0; i < 20; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
}

static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int
setup(void **state)
{
	if (testdir_setup_oci(tmpdir) != 0)
		return -1;
	snprintf(head, sizeof(head), "[daemon]\nstate_dir = %s/st\nlog_level = error\n",
	    tmpdir);
	snprintf(head_rest, sizeof(head_rest),
	    "[oci]\nconfig_file = %s/oci-config\nendpoint = http://127.0.0.1:1\n"
	    "region = us-ashburn-1\n"
	    "[source s]\nquery = search \"x\"\ninterval = 1h\nstart = -1m\n", tmpdir);
	log_set_level(LOG_LVL_ERROR);
	return 0;
}

static int
teardown(void **state)
{
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
test_reload(void **state)
{
	struct event_base *base = event_base_new();
	struct pipeline_opts po;
	struct pipeline *p;
	char a[PATH_MAX * 3], b[PATH_MAX * 3], sinks[PATH_MAX * 7];
	struct err err;

	memset(&po, 0, sizeof(po));
	po.mode = SOURCE_MODE_DAEMON;
	p = pipeline_new(base, conf_of(file_sink(a, sizeof(a), "f1", "f1.out", "")), &po, &err);
	if (p == NULL)
		fail_msg("pipeline_new: %s", err.msg);
	spin(base);
	assert_int_equal(sink_rows(p, "f1"), 1);

	/* f2 cannot open its path (a folder): the reload is refused whole — f1 stays,
	 * nothing of f2 runs. */
	snprintf(sinks, sizeof(sinks), "%s%s", file_sink(a, sizeof(a), "f2", "st", ""),
	    file_sink(b, sizeof(b), "f3", "f3.out", ""));
	assert_int_equal(pipeline_reload(p, conf_of(sinks), &err), -1);
	assert_non_null(strstr(err.msg, "[sink f2]"));
	assert_int_equal(err.kind, ERR_CONFIG); /* the daemon's 78, not read from the text */
	spin(base);
	assert_int_equal(sink_rows(p, "f1"), 1);
	assert_int_equal(sink_rows(p, "f2"), 0);
	assert_int_equal(sink_rows(p, "f3"), 0);

	/* f1 removed, f2 added: f1 (empty) drains and goes. */
	assert_int_equal(pipeline_reload(p, conf_of(file_sink(a, sizeof(a), "f2", "f2.out", "")),
	    &err), 0);
	spin(base);
	assert_int_equal(sink_rows(p, "f1"), 0);
	assert_int_equal(sink_rows(p, "f2"), 1);

	/* f2 changed (same name, other settings): one f2 afterwards. */
	assert_int_equal(pipeline_reload(p, conf_of(file_sink(a, sizeof(a), "f2", "f2.out",
	    "batch_max_events = 7\n")), &err), 0);
	spin(base);
	assert_int_equal(sink_rows(p, "f2"), 1);

	/* A metrics address in use: refused whole, f2 unchanged, f4 not started. */
	{
		struct sockaddr_in sa;
		socklen_t sl = sizeof(sa);
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		char mline[64];
		struct conf *c;
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		assert_int_equal(listen(fd, 1), 0);
		assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
		snprintf(mline, sizeof(mline), "metrics_listen = 127.0.0.1:%d\n",
		    ntohs(sa.sin_port));
		snprintf(sinks, sizeof(sinks), "%s%s",
		    file_sink(a, sizeof(a), "f2", "f2.out", "batch_max_events = 7\n"),
		    file_sink(b, sizeof(b), "f4", "f4.out", ""));
		c = conf_of2(mline, sinks);
		assert_int_equal(pipeline_reload(p, c, &err), -1);
		assert_non_null(strstr(err.msg, "metrics_listen"));
		assert_int_equal(err.kind, ERR_OTHER);
		close(fd);
	}
	spin(base);
	assert_int_equal(sink_rows(p, "f2"), 1);
	assert_int_equal(sink_rows(p, "f4"), 0);

	pipeline_free(p);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reload),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
