/* test_sink_splunk.c — Splunk HEC: /services/collector/event,
 * Authorization: Splunk, envelopes back to back, time in epoch seconds with a fraction,
 * sourcetype per kind, and a whole-batch 400 over one bad event isolated by the split. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <strings.h>
#include <unistd.h>

#include "sink_splunk.h"
#include "sink_testsrv.h"

/* Parses the concatenated envelopes of a HEC body into an array. */
static json_t *
envelopes(const char *body)
{
	json_t *arr = json_array();
	size_t off = 0, n = strlen(body);
	json_error_t e;

	for (;;) {
		json_t *v;
		while (off < n && (body[off] == '\n' || body[off] == ' '))
			off++;
		if (off >= n)
			break;
		v = json_loadb(body + off, n - off, JSON_DISABLE_EOF_CHECK, &e);
		assert_non_null(v);
		json_array_append_new(arr, v);
		off += e.position;
	}
	return arr;
}

static void
test_envelope(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink_splunk_conf tc = { 0 };
	struct err err;
	struct sink *s;
	json_t *a, *o;

	ts_start(&t);
	ts_cfg(&k, CONF_SINK_SPLUNK_HEC, t.url);
	k.type_conf = &tc;
	assert_null(sink_new(t.base, t.client, &k, "/tmp", &err));
	assert_non_null(strstr(err.msg, "token"));
	k.token = "hec-token";
	tc.index = "oci";
	tc.hostname = "oci-phx";
	s = sink_new(t.base, t.client, &k, "/tmp", &err);
	assert_non_null(s);
	ts_send(&t, s, 2, 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.req[0].uri, "/services/collector/event");
	assert_true(ts_has_header(&t, 0, "Authorization", "Splunk hec-token"));
	assert_non_null(strstr(t.req[0].headers, "X-Splunk-Request-Channel: "));
	/* Not a JSON array: envelopes back to back. */
	assert_int_equal(t.req[0].body[0], '{');
	assert_non_null(strstr(t.req[0].body, "\"time\":1608119080.003000,"));
	a = envelopes(t.req[0].body);
	assert_int_equal(json_array_size(a), 2);
	o = json_array_get(a, 0);
	assert_true(json_real_value(json_object_get(o, "time")) > 1608119080.002);
	assert_string_equal(json_string_value(json_object_get(o, "host")), "oci-phx");
	assert_string_equal(json_string_value(json_object_get(o, "source")), "src");
	assert_string_equal(json_string_value(json_object_get(o, "sourcetype")), "oci:audit");
	assert_string_equal(json_string_value(json_object_get(o, "index")), "oci");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    json_object_get(o, "event"), "event"), "id")), "e-0");
	assert_string_equal(json_string_value(json_object_get(json_array_get(a, 1),
	    "sourcetype")), "oci:vcn:flow");
	json_decref(a);
	sink_free(s);
	/* sourcetype and source overridden */
	tc.sourcetype = "_json";
	tc.source_field = "oci:logs";
	tc.index = NULL;
	s = sink_new(t.base, t.client, &k, "/tmp", &err);
	ts_reset(&t);
	ts_send(&t, s, 1, 0);
	a = envelopes(t.req[0].body);
	o = json_array_get(a, 0);
	assert_string_equal(json_string_value(json_object_get(o, "sourcetype")), "_json");
	assert_string_equal(json_string_value(json_object_get(o, "source")), "oci:logs");
	assert_null(json_object_get(o, "index"));
	json_decref(a);
	sink_free(s);
	ts_stop(&t);
}

/* HEC style: the whole batch is refused when any event in it is bad. */
static void
hec_reject(struct ts *t, const struct ts_req *r, int *code, struct buf *body)
{
	if (strstr(r->body, "\"e-5\"") != NULL) {
		*code = 400;
		buf_printf(body, "{\"text\":\"Invalid data format\",\"code\":6,"
		    "\"invalid-event-number\":1}");
	} else {
		buf_printf(body, "{\"text\":\"Success\",\"code\":0}");
	}
}

static void
test_bad_event_isolated(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct err err;
	struct sink *s;
	char path[] = "/tmp/test_hec_dl_XXXXXX";
	int fd = mkstemp(path);
	char line[4096];
	FILE *f;

	close(fd);
	ts_start(&t);
	t.answer = hec_reject;
	ts_cfg(&k, CONF_SINK_SPLUNK_HEC, t.url);
	k.token = "x";
	k.dead_letter = path;
	s = sink_new(t.base, t.client, &k, "/tmp", &err);
	ts_send(&t, s, 100, 0);
	assert_int_equal(t.counts.delivered, 99);
	assert_int_equal(t.counts.dead_letter, 1);
	f = fopen(path, "r");
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(strstr(line, "\"e-5\""));
	assert_non_null(strstr(line, "Invalid data format"));
	assert_null(fgets(line, sizeof(line), f));
	fclose(f);
	unlink(path);
	sink_free(s);
	ts_stop(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_envelope),
		cmocka_unit_test(test_bad_event_isolated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
