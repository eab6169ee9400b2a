/*
 * test_source_kafka.c — the streaming source's pieces that need no cluster: what may be
 * committed (koffsets.h: contiguous acknowledgements only, never past a cancelled or
 * unfinished batch, bad messages passed with their batch) and the [source] type =
 * streaming configuration (required keys, start = earliest/latest, secrets, dump).
 * The consumer itself is tested end to end against librdkafka's mock cluster
 * (tests/it/test_kafka_*.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ack.h"
#include "conf.h"
#include "koffsets.h"

/* Routes n events under the ack for offset (as a sink would: ack_add at once). */
static struct ack *
route(struct koffsets *o, int64_t offset, uint32_t n)
{
	struct ack *a = koffsets_add(o, offset);

	assert_non_null(a);
	if (n > 0)
		ack_add(a, n);
	return a;
}

static void
test_contiguous(void **state)
{
	struct koffsets *o = koffsets_new();
	struct ack *a1, *a2, *a3;

	(void)state;
	assert_int_equal(koffsets_next(o), -1);
	/* Batch 1: offsets 0..2 (one event each). */
	a1 = route(o, 0, 1);
	assert_ptr_equal(route(o, 1, 1), a1);
	assert_ptr_equal(route(o, 2, 1), a1);
	koffsets_seal(o);
	/* Batch 2: 3..4; batch 3: 5. */
	a2 = route(o, 3, 1);
	route(o, 4, 1);
	koffsets_seal(o);
	a3 = route(o, 5, 1);
	koffsets_seal(o);
	assert_true(a1 != a2 && a2 != a3);
	/* Later batches finish first: nothing may be committed yet. */
	ack_done(a3, ACK_DELIVERED);
	ack_done(a2, ACK_DELIVERED);
	ack_done(a2, ACK_DELIVERED);
	assert_int_equal(koffsets_next(o), -1);
	assert_true(koffsets_busy(o));
	/* Batch 1 finishes event by event: only its last one moves the commit, to 6. */
	ack_done(a1, ACK_DELIVERED);
	ack_done(a1, ACK_DEAD_LETTER);
	assert_int_equal(koffsets_next(o), -1);
	ack_done(a1, ACK_DELIVERED);
	assert_int_equal(koffsets_next(o), 6);
	assert_false(koffsets_busy(o));
	assert_true(koffsets_losses(o)); /* one was dead-lettered */
	koffsets_free(o);
}

static void
test_cancelled_holds(void **state)
{
	struct koffsets *o = koffsets_new();
	struct ack *a1, *a2;

	(void)state;
	a1 = route(o, 10, 2);
	koffsets_seal(o);
	a2 = route(o, 11, 1);
	koffsets_seal(o);
	ack_done(a1, ACK_DELIVERED);
	ack_done(a1, ACK_CANCELLED); /* a sink stopped before delivering it */
	ack_done(a2, ACK_DELIVERED);
	/* Neither the cancelled batch nor the one after it may be committed. */
	assert_int_equal(koffsets_next(o), -1);
	assert_true(koffsets_busy(o));
	assert_false(koffsets_losses(o));
	koffsets_free(o);
}

static void
test_bad_only_batch(void **state)
{
	struct koffsets *o = koffsets_new();
	struct ack *a;

	(void)state;
	/* Offsets 7 and 8 route nothing (dead-lettered by the source), 9 one event. */
	route(o, 7, 0);
	route(o, 8, 0);
	koffsets_seal(o);
	assert_int_equal(koffsets_next(o), 9); /* finished at the seal */
	a = route(o, 9, 1);
	koffsets_seal(o);
	assert_int_equal(koffsets_next(o), 9);
	ack_done(a, ACK_DELIVERED);
	assert_int_equal(koffsets_next(o), 10);
	/* Known end: set only while nothing is held. */
	a = route(o, 10, 1);
	koffsets_set_next(o, 50);
	assert_int_equal(koffsets_next(o), 10);
	koffsets_free(o); /* abandons the outstanding ack */
	ack_done(a, ACK_DELIVERED); /* ... which the sink still finishes */
}

static void
test_unfinished_at_free(void **state)
{
	struct koffsets *o = koffsets_new();
	struct ack *a = route(o, 0, 1);

	(void)state;
	ack_add(a, 1); /* a second sink took it too */
	koffsets_seal(o);
	koffsets_free(o);
	/* The sinks still finish their events later: no callback into freed memory. */
	ack_done(a, ACK_DELIVERED);
	ack_done(a, ACK_DELIVERED);
}

/* --- configuration ------------------------------------------------------------------ */

static char *
write_tmp(const char *text)
{
	char *path = strdup("/tmp/test_source_kafka.XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static struct conf *
load(const char *text, struct conf_err *err)
{
	char *path = write_tmp(text);
	struct conf *c;

	memset(err, 0, sizeof(*err));
	c = conf_load(path, err);
	unlink(path);
	free(path);
	return c;
}

#define HEAD "[daemon]\nstate_dir = /tmp\n[sink s]\ntype = stdout\n"

static void
test_conf_streaming(void **state)
{
	struct conf_err err;
	struct conf *c;
	const struct conf_source *s;
	char *dump = NULL;
	size_t dlen = 0;
	FILE *f;

	(void)state;
	setenv("TEST_KAFKA_TOKEN", "s3cr3t-token", 1);
	c = load(HEAD "[source k]\ntype = streaming\n"
	    "bootstrap_servers = a:9092,b:9092\ntopic = t1, t2\ngroup_id = g\n"
	    "sasl_mechanism = scram-sha-512\nsasl_username = ten/jane/ocid1.streampool.x\n"
	    "sasl_password = ${TEST_KAFKA_TOKEN}\nstart = latest\nregion = ap-tokyo-1\n", &err);
	if (c == NULL)
		fail_msg("%s", err.text);
	s = &c->sources[0];
	assert_int_equal(s->type, CONF_SOURCE_STREAMING);
	assert_null(s->query);
	assert_string_equal(s->stream.bootstrap_servers, "a:9092,b:9092");
	assert_int_equal(s->stream.topics.n, 2);
	assert_string_equal(s->stream.topics.items[1], "t2");
	assert_int_equal(s->stream.security_protocol, CONF_KSEC_SASL_SSL);
	assert_int_equal(s->stream.sasl_mechanism, CONF_KMECH_SCRAM_SHA_512);
	assert_string_equal(s->stream.sasl_password, "s3cr3t-token");
	assert_true(s->stream.start_latest);
	assert_string_equal(s->stream.region, "ap-tokyo-1");
	f = open_memstream(&dump, &dlen);
	conf_dump(c, f);
	fclose(f);
	assert_non_null(strstr(dump, "type = streaming\n"));
	assert_non_null(strstr(dump, "start = latest\n"));
	assert_non_null(strstr(dump, "region = ap-tokyo-1\n"));
	assert_non_null(strstr(dump, "sasl_password = ***\n"));
	assert_null(strstr(dump, "s3cr3t-token"));
	free(dump);
	conf_free(c);
	conf_err_cleanup(&err);
}

static void
test_conf_streaming_errors(void **state)
{
	struct conf_err err;
	struct conf *c;

	(void)state;
	/* Everything a consumer group needs is required; sasl_* needs credentials. */
	c = load(HEAD "[source k]\ntype = streaming\n", &err);
	assert_null(c);
	assert_non_null(strstr(err.text, "bootstrap_servers: missing"));
	assert_non_null(strstr(err.text, "topic: missing"));
	assert_non_null(strstr(err.text, "group_id: missing"));
	assert_non_null(strstr(err.text, "sasl_username: missing"));
	assert_non_null(strstr(err.text, "sasl_password: missing"));
	assert_null(strstr(err.text, "query"));
	conf_err_cleanup(&err);
	/* plaintext needs no credentials; a relative start is for search sources. */
	c = load(HEAD "[source k]\ntype = streaming\nbootstrap_servers = a:1\ntopic = t\n"
	    "group_id = g\nsecurity_protocol = plaintext\nstart = -1h\n", &err);
	assert_null(c);
	assert_non_null(strstr(err.text, "start: is earliest or latest"));
	assert_null(strstr(err.text, "sasl_"));
	conf_err_cleanup(&err);
	/* A search source still needs its query, and refuses earliest/latest. */
	c = load(HEAD "[source q]\nstart = earliest\n", &err);
	assert_null(c);
	assert_non_null(strstr(err.text, "query: missing"));
	assert_non_null(strstr(err.text, "earliest/latest are for type = streaming"));
	conf_err_cleanup(&err);
	c = load(HEAD "[source k]\ntype = kafka\n", &err);
	assert_null(c);
	conf_err_cleanup(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contiguous),
		cmocka_unit_test(test_cancelled_holds),
		cmocka_unit_test(test_bad_only_batch),
		cmocka_unit_test(test_unfinished_at_free),
		cmocka_unit_test(test_conf_streaming),
		cmocka_unit_test(test_conf_streaming_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
