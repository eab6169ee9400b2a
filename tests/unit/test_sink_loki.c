/* test_sink_loki.c — Loki push: streams grouped by labels (default
 * source=oci, kind), ns timestamps as strings, each line the event JSON, X-Scope-OrgID. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <strings.h>

#include "sink_loki.h"
#include "sink_testsrv.h"

static void
test_push_body(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink_loki_conf lc = { 0 };
	struct err err;
	struct sink *s;
	json_t *root, *streams, *st, *vals, *ev;
	json_error_t e;
	size_t i;

	ts_start(&t);
	ts_cfg(&k, CONF_SINK_LOKI, t.url);
	k.type_conf = &lc;
	lc.tenant = "team-a";
	s = sink_new(t.base, t.client, &k, "/tmp", &err);
	assert_non_null(s);
	ts_send(&t, s, 5, 0);
	assert_int_equal(t.counts.delivered, 5);
	assert_string_equal(t.req[0].uri, "/loki/api/v1/push");
	assert_true(ts_has_header(&t, 0, "X-Scope-OrgID", "team-a"));
	assert_true(ts_has_header(&t, 0, "Content-Type", "application/json"));
	root = json_loads(t.req[0].body, 0, &e);
	assert_non_null(root);
	streams = json_object_get(root, "streams");
	assert_int_equal(json_array_size(streams), 2); /* audit and flow */
	st = json_array_get(streams, 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(st, "stream"),
	    "source")), "oci");
	assert_string_equal(json_string_value(json_object_get(json_object_get(st, "stream"),
	    "kind")), "audit");
	assert_int_equal(json_object_size(json_object_get(st, "stream")), 2);
	vals = json_object_get(st, "values");
	assert_int_equal(json_array_size(vals), 3); /* events 0, 2, 4 */
	assert_string_equal(json_string_value(json_array_get(json_array_get(vals, 0), 0)),
	    "1608119080003000000");
	for (i = 0; i < 3; i++) {
		ev = json_loads(json_string_value(json_array_get(json_array_get(vals, i), 1)), 0, &e);
		assert_non_null(ev);
		assert_int_equal(json_integer_value(json_object_get(ev, "n")), (json_int_t)(2 * i));
		json_decref(ev);
	}
	st = json_array_get(streams, 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(st, "stream"),
	    "kind")), "flow");
	json_decref(root);
	sink_free(s);
	ts_stop(&t);
}

static void
test_labels(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink_loki_conf lc = { 0 };
	struct err err;
	struct sink *s;
	char *labels[] = {"env=prod", "source"};
	char *bad[] = {"bad-name=x"};
	char *reserved[] = {"__name__=x"};
	char *unknown[] = {"region"};

	ts_start(&t);
	ts_cfg(&k, CONF_SINK_LOKI, t.url);
	k.type_conf = &lc;
	lc.labels.items = labels;
	lc.labels.n = 2;
	k.token = "glc";
	s = sink_new(t.base, t.client, &k, "/tmp", &err);
	assert_non_null(s);
	ts_send(&t, s, 2, 0);
	assert_non_null(strstr(t.req[0].body,
	    "{\"streams\":[{\"stream\":{\"env\":\"prod\",\"source\":\"src\"},\"values\":[[\""));
	assert_true(ts_has_header(&t, 0, "Authorization", "Bearer glc"));
	sink_free(s);
	lc.labels.items = bad;
	lc.labels.n = 1;
	assert_null(sink_new(t.base, t.client, &k, "/tmp", &err));
	lc.labels.items = reserved;
	assert_null(sink_new(t.base, t.client, &k, "/tmp", &err));
	lc.labels.items = unknown;
	assert_null(sink_new(t.base, t.client, &k, "/tmp", &err));
	ts_stop(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_body),
		cmocka_unit_test(test_labels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
