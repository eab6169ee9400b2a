/* test_sink_datadog.c — Datadog Logs v2: URL from site, DD-API-KEY, the
 * JSON array with reserved attributes merged in, at most 1000 events and < 5 MB. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <strings.h>

#include "sink_datadog.h"
#include "sink_testsrv.h"

static void
test_url_from_site(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink_datadog_conf dc = { 0 };
	struct err err;
	struct sink *s;

	ts_start(&t);
	ts_cfg(&k, CONF_SINK_DATADOG, NULL);
	k.type_conf = &dc;
	assert_null(sink_new(t.base, t.client, &k, "/tmp", &err)); /* api_key required */
	assert_non_null(strstr(err.msg, "api_key"));
	k.api_key = "k";
	s = sink_new(t.base, t.client, &k, "/tmp", &err);
	assert_non_null(s);
	assert_string_equal(sink_url(s), "https://http-intake.logs.datadoghq.com/api/v2/logs");
	sink_free(s);
	dc.site = "datadoghq.eu";
	s = sink_new(t.base, t.client, &k, "/tmp", &err);
	assert_string_equal(sink_url(s), "https://http-intake.logs.datadoghq.eu/api/v2/logs");
	sink_free(s);
	dc.site = "us3.datadoghq.com";
	s = sink_new(t.base, t.client, &k, "/tmp", &err);
	assert_string_equal(sink_url(s), "https://http-intake.logs.us3.datadoghq.com/api/v2/logs");
	sink_free(s);
	k.url = "http://127.0.0.1:9/custom/intake";
	s = sink_new(t.base, t.client, &k, "/tmp", &err);
	assert_string_equal(sink_url(s), "http://127.0.0.1:9/custom/intake");
	sink_free(s);
	ts_stop(&t);
}

static void
test_envelope(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink_datadog_conf dc = { 0 };
	struct err err;
	struct sink *s;
	json_t *arr, *o;
	json_error_t e;

	ts_start(&t);
	ts_cfg(&k, CONF_SINK_DATADOG, t.url);
	k.type_conf = &dc;
	k.api_key = "abc123";
	dc.ddtags = "env:prod";
	dc.hostname = "oci-phx";
	s = sink_new(t.base, t.client, &k, "/tmp", &err);
	assert_non_null(s);
	ts_send(&t, s, 3, 0);
	assert_int_equal(t.counts.delivered, 3);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.req[0].uri, "/api/v2/logs");
	assert_true(ts_has_header(&t, 0, "DD-API-KEY", "abc123"));
	assert_true(ts_has_header(&t, 0, "Content-Type", "application/json"));
	arr = json_loads(t.req[0].body, 0, &e);
	assert_true(json_is_array(arr));
	assert_int_equal(json_array_size(arr), 3);
	o = json_array_get(arr, 0);
	assert_string_equal(json_string_value(json_object_get(o, "ddsource")), "oci");
	assert_string_equal(json_string_value(json_object_get(o, "service")), "oci-audit");
	assert_string_equal(json_string_value(json_object_get(o, "hostname")), "oci-phx");
	assert_string_equal(json_string_value(json_object_get(o, "ddtags")),
	    "env:prod,oci_log:audit,oci_source:src");
	assert_int_equal(json_integer_value(json_object_get(o, "timestamp")), 1608119080003LL);
	assert_string_equal(json_string_value(json_object_get(o, "message")), "m0");
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "event"),
	    "id")), "e-0");
	o = json_array_get(arr, 1);
	assert_string_equal(json_string_value(json_object_get(o, "service")), "oci-vcn-flow");
	json_decref(arr);
	sink_free(s);
	ts_stop(&t);
}

/* Only the raw format reads the summary ("message"); ECS/OCSF and plain HTTP do not, so
 * the producer skips writing it for them (route.c). */
static void
test_uses_summary(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink_datadog_conf dc = { 0 };
	struct err err;
	struct sink *s;

	ts_start(&t);
	ts_cfg(&k, CONF_SINK_DATADOG, t.url);
	k.type_conf = &dc;
	k.api_key = "abc123";
	k.format = CONF_FORMAT_RAW;
	s = sink_new(t.base, t.client, &k, "/tmp", &err);
	assert_non_null(s);
	assert_true(sink_uses_summary(s));
	sink_free(s);
	k.format = CONF_FORMAT_ECS;
	s = sink_new(t.base, t.client, &k, "/tmp", &err);
	assert_non_null(s);
	assert_false(sink_uses_summary(s));
	sink_free(s);
	ts_cfg(&k, CONF_SINK_HTTP, t.url);
	k.format = CONF_FORMAT_RAW;
	s = sink_new(t.base, t.client, &k, "/tmp", &err);
	assert_non_null(s);
	assert_false(sink_uses_summary(s));
	sink_free(s);
	ts_stop(&t);
}

static void
test_limits(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct err err;
	struct sink *s;
	size_t i, total = 0;

	ts_start(&t);
	ts_cfg(&k, CONF_SINK_DATADOG, t.url);
	k.api_key = "k";
	k.batch_max_events = 5000;        /* more than Datadog takes */
	k.batch_max_bytes = 64 << 20;
	k.max_in_flight = 1;
	s = sink_new(t.base, t.client, &k, "/tmp", &err);
	ts_send(&t, s, 2500, 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(ts_array_len(t.req[0].body), 1000);
	assert_int_equal(ts_array_len(t.req[1].body), 1000);
	assert_int_equal(ts_array_len(t.req[2].body), 500);
	/* 100 kB events: no body reaches 5 MB, all arrive. */
	ts_reset(&t);
	ts_send(&t, s, 120, 100000);
	assert_int_equal(t.counts.delivered, 120);
	for (i = 0; i < t.n; i++) {
		assert_true(t.req[i].body_len < 5000000);
		assert_true(t.req[i].body_len > 4000000 || i == t.n - 1);
		total += ts_array_len(t.req[i].body);
	}
	assert_int_equal(total, 120);
	sink_free(s);
	ts_stop(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_from_site),
		cmocka_unit_test(test_envelope),
		cmocka_unit_test(test_uses_summary),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
