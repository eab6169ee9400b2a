/* test_sink_elasticsearch.c — _bulk: NDJSON create actions with _index and
 * an _id from the fingerprint, every line ending in \n; errors:true read per item: 409
 * delivered, 429/5xx retried alone, 400 dead-lettered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <strings.h>
#include <unistd.h>

#include "sink_elasticsearch.h"
#include "sink_testsrv.h"

static int round_no;

/* First answer: item 0 created, 1 conflict (already there), 2 busy, 3 bad mapping,
 * 4 shard failure; then everything created. */
static void
bulk_answer(struct ts *t, const struct ts_req *r, int *code, struct buf *body)
{
	static const int first[] = {201, 409, 429, 400, 503};
	const char *p;
	int i = 0;

	buf_printf(body, "{\"took\":3,\"errors\":%s,\"items\":[", round_no ? "false" : "true");
	for (p = r->body; (p = strstr(p, "{\"create\"")) != NULL; p++, i++) {
		int st = round_no == 0 ? first[i % 5] : 201;
		buf_printf(body, "%s{\"create\":{\"_index\":\"x\",\"status\":%d", i ? "," : "", st);
		if (st >= 300)
			buf_printf(body, ",\"error\":{\"type\":\"%s\",\"reason\":\"r%d\"}",
			    st == 400 ? "mapper_parsing_exception" : "es_rejected_execution_exception",
			    i);
		buf_append_str(body, "}}");
	}
	buf_append_str(body, "]}");
	round_no++;
}

static void
test_bulk_body(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink_elasticsearch_conf tc = { 0 };
	struct err err;
	struct sink *s;
	const char *p;
	int lines = 0;

	ts_start(&t);
	ts_cfg(&k, CONF_SINK_ELASTICSEARCH, t.url);
	k.type_conf = &tc;
	k.api_key = "aWQ6a2V5";
	s = sink_new(t.base, t.client, &k, "/tmp", &err);
	assert_non_null(s);
	ts_send(&t, s, 3, 0);
	assert_int_equal(t.counts.delivered, 3); /* plain 200 without a body: delivered */
	assert_string_equal(t.req[0].uri, "/_bulk");
	assert_true(ts_has_header(&t, 0, "Content-Type", "application/x-ndjson"));
	assert_true(ts_has_header(&t, 0, "Authorization", "ApiKey aWQ6a2V5"));
	assert_true(strncmp(t.req[0].body,
	    "{\"create\":{\"_index\":\"logs-oci-default\",\"_id\":\"1158fbde00000000\"}}\n"
	    "{\"message\":\"m0\",", 80) == 0);
	assert_int_equal(t.req[0].body[t.req[0].body_len - 1], '\n');
	for (p = t.req[0].body; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 6);
	assert_non_null(strstr(t.req[0].body, "\"_id\":\"1158fbde00000002\""));
	sink_free(s);
	/* index and Basic auth */
	k.api_key = NULL;
	k.username = "elastic";
	k.password = "changeme";
	tc.index = "logs-oci.audit-default";
	s = sink_new(t.base, t.client, &k, "/tmp", &err);
	ts_reset(&t);
	ts_send(&t, s, 1, 0);
	assert_true(ts_has_header(&t, 0, "Authorization", "Basic ZWxhc3RpYzpjaGFuZ2VtZQ=="));
	assert_non_null(strstr(t.req[0].body, "\"_index\":\"logs-oci.audit-default\""));
	sink_free(s);
	ts_stop(&t);
}

static void
test_partial_failure(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct err err;
	struct sink *s;
	char path[] = "/tmp/test_es_dl_XXXXXX";
	int fd = mkstemp(path);
	char line[4096];
	FILE *f;

	close(fd);
	ts_start(&t);
	round_no = 0;
	t.answer = bulk_answer;
	ts_cfg(&k, CONF_SINK_ELASTICSEARCH, t.url);
	k.dead_letter = path;
	s = sink_new(t.base, t.client, &k, "/tmp", &err);
	ts_send(&t, s, 5, 0);
	assert_int_equal(t.counts.delivered, 4); /* 201, 409, and 429/503 after a retry */
	assert_int_equal(t.counts.dead_letter, 1);
	assert_int_equal(t.n, 2);
	/* The retry carries only the 429 and 503 items. */
	assert_null(strstr(t.req[1].body, "\"_id\":\"1158fbde00000000\""));
	assert_null(strstr(t.req[1].body, "\"_id\":\"1158fbde00000001\""));
	assert_non_null(strstr(t.req[1].body, "\"_id\":\"1158fbde00000002\""));
	assert_null(strstr(t.req[1].body, "\"_id\":\"1158fbde00000003\""));
	assert_non_null(strstr(t.req[1].body, "\"_id\":\"1158fbde00000004\""));
	f = fopen(path, "r");
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(strstr(line, "\"e-3\""));
	assert_non_null(strstr(line, "\"status\":400"));
	assert_non_null(strstr(line, "mapper_parsing_exception: r3"));
	assert_null(fgets(line, sizeof(line), f));
	fclose(f);
	unlink(path);
	assert_int_equal(sink_stats(s)->retries, 1);
	sink_free(s);
	ts_stop(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bulk_body),
		cmocka_unit_test(test_partial_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
