/*
 * test_sink_fifo.c — a FIFO (or any non-regular file) at a file sink's path or at a
 * dead-letter path is refused with a clear error instead of blocking the daemon in open()
 * (issue 11 item 13, issue 10 item 9): at start-up, on reopen (SIGHUP), and on the first
 * dead letter.  An alarm turns a hang (the bug) into a failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safeopen.h"
#include "sink_file.h"
#include "sink_testsrv.h"
#include "timeutil.h"

static int
count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	int n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		n++;
	fclose(f);
	return n;
}

static int
setup(void **state)
{
	alarm(20); /* a blocking open() hangs forever: fail instead */
	return 0;
}

static int
teardown(void **state)
{
	alarm(0);
	return 0;
}

static void
test_file_sink_fifo_refused(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink_file_conf fc = { 0 };
	struct err err;
	char dir[] = "/tmp/test_sink_fifo_XXXXXX", fifo[256];
	int rd;

	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/out.ndjson", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	ts_start(&t);
	ts_cfg(&k, CONF_SINK_FILE, NULL);
	k.type_conf = &fc;
	fc.path = fifo;
	/* No reader: a blocking open would wait for one forever. */
	assert_null(sink_new(t.base, NULL, &k, dir, &err));
	assert_non_null(strstr(err.msg, "not a regular file"));
	assert_non_null(strstr(err.msg, fifo));
	/* With a reader the open would succeed: still refused (events would go nowhere). */
	rd = open(fifo, O_RDONLY | O_NONBLOCK);
	assert_true(rd >= 0);
	assert_null(sink_new(t.base, NULL, &k, dir, &err));
	assert_non_null(strstr(err.msg, "not a regular file"));
	close(rd);
	/* A folder too. */
	fc.path = dir;
	assert_null(sink_new(t.base, NULL, &k, dir, &err));
	assert_non_null(strstr(err.msg, "not a regular file"));
	unlink(fifo);
	rmdir(dir);
	ts_stop(&t);
}

/* SIGHUP with a FIFO now at the path: no hang, the sink keeps writing to the old file. */
static void
test_file_sink_reopen_fifo(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink_file_conf fc = { 0 };
	struct err err;
	struct sink *s;
	char dir[] = "/tmp/test_sink_fifo_XXXXXX", path[256], rotated[256];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.ndjson", dir);
	snprintf(rotated, sizeof(rotated), "%s/out.ndjson.1", dir);
	ts_start(&t);
	ts_cfg(&k, CONF_SINK_FILE, NULL);
	k.type_conf = &fc;
	fc.path = path;
	s = sink_new(t.base, NULL, &k, dir, &err);
	assert_non_null(s);
	ts_send(&t, s, 4, 0);
	assert_int_equal(rename(path, rotated), 0);
	assert_int_equal(mkfifo(path, 0600), 0);
	sink_reopen(s);
	ts_send(&t, s, 3, 0);
	assert_int_equal(t.counts.delivered, 3);
	assert_int_equal(count_lines(rotated), 7);
	sink_free(s);
	unlink(path);
	unlink(rotated);
	rmdir(dir);
	ts_stop(&t);
}

static int
is_unhealthy(void *arg)
{
	return !sink_healthy(arg);
}

static void
run_until(struct ts *t, int (*cond)(void *), void *arg)
{
	int64_t end = timeutil_mono_ms() + 10000;
	struct timeval tv = {0, 10000};
	struct event *tick = event_new(t->base, -1, EV_PERSIST, ts_tick, NULL);

	event_add(tick, &tv);
	while (!cond(arg) && timeutil_mono_ms() < end)
		event_base_loop(t->base, EVLOOP_ONCE);
	event_free(tick);
	assert_true(cond(arg));
}

static int
has_acked(void *arg)
{
	return ((struct ts *)arg)->acked;
}

/* A FIFO at the dead-letter path: the event is kept, the sink unhealthy with a clear
 * error; once a regular file can be made there, the event is dead-lettered. */
static void
test_dead_letter_fifo(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;
	struct err err;
	struct ack *a;
	struct buf b;
	struct sink_doc d;
	char dir[] = "/tmp/test_sink_fifo_XXXXXX", fifo[256];

	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/dead.ndjson", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	ts_start(&t);
	t.after_code = 400;
	ts_cfg(&k, CONF_SINK_HTTP, t.url);
	k.dead_letter = fifo;
	k.retry_max_delay_ms = 20;
	s = sink_new(t.base, t.client, &k, dir, &err);
	assert_non_null(s);
	a = ack_new(ts_acked, &t);
	buf_init(&b, 0);
	ts_doc(&b, &d, 1, "audit", 0);
	assert_int_equal(sink_submit(s, &d, a), SINK_ACCEPTED);
	buf_cleanup(&b);
	sink_flush(s);
	ack_seal(a);
	run_until(&t, is_unhealthy, s);
	assert_false(t.acked);
	assert_non_null(strstr(sink_stats(s)->last_error, "not a regular file"));
	assert_int_equal(sink_stats(s)->events_dead_letter, 0);
	unlink(fifo);
	run_until(&t, has_acked, &t);
	assert_int_equal(t.counts.dead_letter, 1);
	assert_int_equal(count_lines(fifo), 1);
	assert_true(sink_healthy(s));
	sink_free(s);
	unlink(fifo);
	rmdir(dir);
	ts_stop(&t);
}

/* The helper itself: /dev/null is the one non-regular file accepted. */
static void
test_safeopen(void **state)
{
	int fd = safeopen_append("/dev/null");

	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	assert_int_equal(safeopen_append("/dev/zero"), -1);
	assert_int_equal(errno, SAFEOPEN_ENOTREG);
	assert_int_equal(safeopen_append("/nonexistent-folder/x"), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(safeopen_strerror(SAFEOPEN_ENOTREG), "not a regular file"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_file_sink_fifo_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_sink_reopen_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_letter_fifo, setup, teardown),
		cmocka_unit_test(test_safeopen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
