/* test_otlp_encode.c — the OTLP/HTTP JSON logs body: structure field by field, grouping
 * by resource, escaping, absent values left out; reading ids from ECS/OCSF/raw events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "evfields.h"
#include "otlp_encode.h"

/* The value of the KeyValue key in a KeyValue list; NULL when absent. */
static const char *
kv(json_t *list, const char *key)
{
	size_t i;
	json_t *e;

	assert_true(json_is_array(list));
	json_array_foreach(list, i, e) {
		json_t *k = json_object_get(e, "key");
		assert_true(json_is_string(k));
		if (strcmp(json_string_value(k), key) == 0) {
			json_t *v = json_object_get(json_object_get(e, "value"), "stringValue");
			assert_true(json_is_string(v));
			return json_string_value(v);
		}
	}
	return NULL;
}

static json_t *
assemble(struct buf *items, size_t n)
{
	const char *p[8];
	size_t l[8];
	struct buf body;
	json_error_t e;
	json_t *j;

	for (size_t i = 0; i < n; i++) {
		p[i] = items[i].data;
		l[i] = items[i].len;
	}
	buf_init(&body, 0);
	assert_int_equal(otlp_assemble(&body, p, l, n), 0);
	j = json_loadb(body.data, body.len, 0, &e);
	if (j == NULL)
		fail_msg("not JSON: %s: %s", e.text, body.data);
	buf_cleanup(&body);
	return j;
}

static void
test_one_record(void **state)
{
	struct otlp_record r = {
		.time_ns = 1741942805123456789LL, .observed_ns = 1741942806000000000LL,
		.dataset = "oci.audit", .source = "audit-src", .record_id = "rec-1",
		.region = "eu-frankfurt-1", .account_id = "ocid1.tenancy.oc1..t",
		.body = "{\"a\":\"x\\\"y\"}\n", .body_len = 13,
	};
	struct buf it;
	json_t *j, *rl, *sl, *lr;

	(void)state;
	buf_init(&it, 0);
	assert_int_equal(otlp_encode_item(&it, &r), 0);
	j = assemble(&it, 1);
	rl = json_object_get(j, "resourceLogs");
	assert_int_equal(json_array_size(rl), 1);
	rl = json_array_get(rl, 0);
	assert_string_equal(kv(json_object_get(json_object_get(rl, "resource"), "attributes"),
	    "cloud.provider"), "oci");
	assert_string_equal(kv(json_object_get(json_object_get(rl, "resource"), "attributes"),
	    "cloud.region"), "eu-frankfurt-1");
	assert_string_equal(kv(json_object_get(json_object_get(rl, "resource"), "attributes"),
	    "cloud.account.id"), "ocid1.tenancy.oc1..t");
	sl = json_object_get(rl, "scopeLogs");
	assert_int_equal(json_array_size(sl), 1);
	sl = json_array_get(sl, 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(sl, "scope"),
	    "name")), "oci-logfwd");
	lr = json_object_get(sl, "logRecords");
	assert_int_equal(json_array_size(lr), 1);
	lr = json_array_get(lr, 0);
	/* 64-bit integers are strings in OTLP/JSON. */
	assert_string_equal(json_string_value(json_object_get(lr, "timeUnixNano")),
	    "1741942805123456789");
	assert_string_equal(json_string_value(json_object_get(lr, "observedTimeUnixNano")),
	    "1741942806000000000");
	assert_string_equal(json_string_value(json_object_get(lr, "severityText")), "INFO");
	assert_int_equal(json_integer_value(json_object_get(lr, "severityNumber")), 9);
	assert_string_equal(json_string_value(json_object_get(json_object_get(lr, "body"),
	    "stringValue")), "{\"a\":\"x\\\"y\"}\n");
	assert_string_equal(kv(json_object_get(lr, "attributes"), "event.dataset"), "oci.audit");
	assert_string_equal(kv(json_object_get(lr, "attributes"), "oci.source"), "audit-src");
	assert_string_equal(kv(json_object_get(lr, "attributes"), "log.record.uid"), "rec-1");
	json_decref(j);
	buf_cleanup(&it);
}

static void
test_grouping_and_absent(void **state)
{
	struct otlp_record a = { .time_ns = 1, .dataset = "oci.log", .region = "r1",
	    .account_id = "t", .body = "A", .body_len = 1 };
	struct otlp_record b = a, c = a;
	struct buf it[3];
	json_t *j, *rl, *lr;

	(void)state;
	b.body = "B";
	c.body = "C";
	c.region = "r2";
	c.record_id = "";
	c.time_ns = 0;
	for (int i = 0; i < 3; i++)
		buf_init(&it[i], 0);
	assert_int_equal(otlp_encode_item(&it[0], &a), 0);
	assert_int_equal(otlp_encode_item(&it[1], &b), 0);
	assert_int_equal(otlp_encode_item(&it[2], &c), 0);
	j = assemble(it, 3);
	rl = json_object_get(j, "resourceLogs");
	/* a and b share a resource: one entry with two records; c has its own. */
	assert_int_equal(json_array_size(rl), 2);
	lr = json_object_get(json_array_get(json_object_get(json_array_get(rl, 0),
	    "scopeLogs"), 0), "logRecords");
	assert_int_equal(json_array_size(lr), 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    json_array_get(lr, 1), "body"), "stringValue")), "B");
	assert_string_equal(kv(json_object_get(json_object_get(json_array_get(rl, 1),
	    "resource"), "attributes"), "cloud.region"), "r2");
	lr = json_array_get(json_object_get(json_array_get(json_object_get(
	    json_array_get(rl, 1), "scopeLogs"), 0), "logRecords"), 0);
	/* Absent: no empty strings, no time 0. */
	assert_null(json_object_get(lr, "timeUnixNano"));
	assert_null(kv(json_object_get(lr, "attributes"), "log.record.uid"));
	assert_null(kv(json_object_get(lr, "attributes"), "oci.source"));
	json_decref(j);
	/* An item without the resource line is refused. */
	{
		const char *p = "{}";
		size_t l = 2;
		struct buf body;
		buf_init(&body, 0);
		assert_int_equal(otlp_assemble(&body, &p, &l, 1), -1);
		buf_cleanup(&body);
	}
	for (int i = 0; i < 3; i++)
		buf_cleanup(&it[i]);
}

static void
test_fields(void **state)
{
	static const char ecs[] = "{\"event\":{\"id\":\"e1\"},\"cloud\":{\"provider\":\"oci\","
	    "\"account\":{\"id\":\"ten1\"},\"region\":\"us-ashburn-1\"}}";
	static const char ocsf[] = "{\"metadata\":{\"uid\":\"o1\"},\"cloud\":{\"account\":"
	    "{\"uid\":\"ten2\"},\"region\":\"r\"}}";
	static const char raw[] = "{\"id\":\"r1\",\"oracle\":{\"tenantid\":\"ten3\"}}";
	struct evfields f;

	(void)state;
	assert_int_equal(evfields_get(ecs, strlen(ecs), &f), 0);
	assert_string_equal(f.record_id, "e1");
	assert_string_equal(f.account_id, "ten1");
	assert_string_equal(f.region, "us-ashburn-1");
	evfields_free(&f);
	assert_int_equal(evfields_get(ocsf, strlen(ocsf), &f), 0);
	assert_string_equal(f.record_id, "o1");
	assert_string_equal(f.account_id, "ten2");
	evfields_free(&f);
	assert_int_equal(evfields_get(raw, strlen(raw), &f), 0);
	assert_string_equal(f.record_id, "r1");
	assert_string_equal(f.account_id, "ten3");
	assert_null(f.region);
	evfields_free(&f);
	assert_int_equal(evfields_get("[1]", 3, &f), -1);
	assert_int_equal(evfields_get("{", 1, &f), -1);
	assert_string_equal(evfields_dataset("audit"), "oci.audit");
	assert_string_equal(evfields_dataset("flow"), "oci.vcn_flow");
	assert_string_equal(evfields_dataset(NULL), "oci.log");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_record),
		cmocka_unit_test(test_grouping_and_absent),
		cmocka_unit_test(test_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
