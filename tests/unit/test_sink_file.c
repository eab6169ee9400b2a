/* test_sink_file.c — the file sink: NDJSON appended, one line per event, reopened on
 * sink_reopen (logrotate); no HTTP client needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sink_file.h"
#include "sink_testsrv.h"

static int
count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	int n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		json_error_t e;
		json_t *j = json_loads(line, 0, &e);
		assert_non_null(j);
		json_decref(j);
		n++;
	}
	fclose(f);
	return n;
}

static void
test_file_and_reopen(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink_file_conf fc = { 0 };
	struct err err;
	struct sink *s;
	char dir[] = "/tmp/test_sink_file_XXXXXX", path[256], rotated[256];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.ndjson", dir);
	snprintf(rotated, sizeof(rotated), "%s/out.ndjson.1", dir);
	ts_start(&t);
	ts_cfg(&k, CONF_SINK_FILE, NULL);
	k.type_conf = &fc;
	assert_null(sink_new(t.base, NULL, &k, dir, &err)); /* path required */
	fc.path = path;
	k.batch_max_events = 4;
	s = sink_new(t.base, NULL, &k, dir, &err);
	assert_non_null(s);
	assert_null(sink_url(s));
	ts_send(&t, s, 10, 0);
	assert_int_equal(t.counts.delivered, 10);
	assert_int_equal(count_lines(path), 10);
	assert_int_equal(rename(path, rotated), 0);
	sink_reopen(s);
	ts_send(&t, s, 3, 0);
	assert_int_equal(count_lines(path), 3);
	assert_int_equal(count_lines(rotated), 10);
	assert_int_equal(sink_stats(s)->events_sent, 13);
	sink_free(s);
	unlink(path);
	unlink(rotated);
	rmdir(dir);
	ts_stop(&t);
}

/* Created 0600 whatever the umask, and not through a symbolic link. */
static void
test_file_mode_and_symlink(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink_file_conf fc = { 0 };
	struct err err;
	struct sink *s;
	char dir[] = "/tmp/test_sink_fmode_XXXXXX", path[256], victim[256];
	struct stat st;
	mode_t old = umask(0);

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.ndjson", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	ts_start(&t);
	ts_cfg(&k, CONF_SINK_FILE, NULL);
	k.type_conf = &fc;
	fc.path = path;
	s = sink_new(t.base, NULL, &k, dir, &err);
	assert_non_null(s);
	ts_send(&t, s, 2, 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	sink_free(s);
	unlink(path);
	/* A link planted at the path: refused, the target untouched. */
	assert_int_equal(close(open(victim, O_WRONLY | O_CREAT, 0600)), 0);
	assert_int_equal(symlink(victim, path), 0);
	assert_null(sink_new(t.base, NULL, &k, dir, &err));
	assert_non_null(strstr(err.msg, "cannot open"));
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_size, 0);
	umask(old);
	unlink(path);
	unlink(victim);
	rmdir(dir);
	ts_stop(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_and_reopen),
		cmocka_unit_test(test_file_mode_and_symlink),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
