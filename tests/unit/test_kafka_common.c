/*
 * test_kafka_common.c — what the streaming source and the kafka sink share (kafka_common.h)
 * and needs no broker: OCI Streaming's username form, its endpoints, the cause given when
 * the brokers refuse the credentials, the -t checks (source and sink, FILE:LINE), the
 * sink's sasl_password_file read at load and shown once by -t, and librdkafka's security
 * settings.  The refusals themselves: tests/it/test_kafka_auth.sh (tests/sim/kafkasasl).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "kafka_common.h"
#include "sink_kafka.h"

#define POOL "ocid1.streampool.oc1.eu-frankfurt-1.amaaaaaauwpiejqaxnfk"
#define OCI_BS "cell-1.streaming.eu-frankfurt-1.oci.oraclecloud.com:9092"

static void
good(const char *u)
{
	char why[256] = "";

	if (kafka_oci_username_check(u, why, sizeof(why)) != 0)
		fail_msg("%s refused: %s", u, why);
}

/* u is refused, and why names the fault (words of our own message, not a broker's). */
static void
bad(const char *u, const char *want)
{
	char why[256] = "";

	if (kafka_oci_username_check(u, why, sizeof(why)) == 0)
		fail_msg("%s accepted", u ? u : "(null)");
	if (strstr(why, want) == NULL)
		fail_msg("%s: why \"%s\" lacks \"%s\"", u ? u : "(null)", why, want);
}

static void
test_username_form(void **state)
{
	(void)state;
	good("mytenancy/jane@example.com/" POOL);
	good("mytenancy/jane/ocid1.streampool.oc1.iad.amaaaaaa");
	/* User names may hold '/': a federated user, an identity domain's user. */
	good("mytenancy/oracleidentitycloudservice/jane@example.com/" POOL);
	good("mytenancy/MyDomain/jane/" POOL);

	bad(NULL, "empty");
	bad("", "empty");
	bad("jane", "one part");
	bad("mytenancy/jane", "two parts");
	bad("mytenancy/" POOL, "two parts");
	bad("/jane/" POOL, "tenancy name");
	bad("ocid1.tenancy.oc1..aaaaaaaa/jane/" POOL, "tenancy's name");
	bad("mytenancy//" POOL, "user name");
	bad("mytenancy/idcs//jane/" POOL, "empty part");
	bad("mytenancy/jane//" POOL, "empty part");
	bad("mytenancy/jane/", "empty");
	bad("mytenancy/jane/ocid1.stream.oc1.iad.amaaaaaa", "a stream's OCID");
	bad("mytenancy/jane/ocid1.user.oc1..aaaa", "another kind of OCID");
	bad("mytenancy/jane/my-pool", "not an OCID");
	bad("mytenancy/jane/ocid1.streampool.oc1", "cut short");
	bad("mytenancy/jane/ocid1.streampool.oc1.iad.", "cut short");
	bad(" mytenancy/jane/" POOL, "white space");
	bad("mytenancy/jane/" POOL "\t", "white space");
}

static void
test_oci_endpoint(void **state)
{
	(void)state;
	assert_true(kafka_is_oci_streaming(OCI_BS));
	assert_true(kafka_is_oci_streaming("cell-2.streaming.us-ashburn-1.oci.oraclecloud.com"));
	assert_true(kafka_is_oci_streaming("127.0.0.1:9092, " OCI_BS));
	assert_true(kafka_is_oci_streaming("cell-1.streaming.us-langley-1.oci.oraclegovcloud.com:9092"));
	assert_false(kafka_is_oci_streaming(NULL));
	assert_false(kafka_is_oci_streaming(""));
	assert_false(kafka_is_oci_streaming("127.0.0.1:9092"));
	assert_false(kafka_is_oci_streaming("kafka.example.com:9092,broker2:9093"));
	assert_false(kafka_is_oci_streaming("streaming.eu-frankfurt-1.oci.oraclecloud.com:9092"));
	assert_false(kafka_is_oci_streaming("cell-1.streaming.eu-frankfurt-1.example.com:9092"));
	assert_false(kafka_is_oci_streaming("cell-1.streaming..oci.oraclecloud.com:9092"));
	assert_false(kafka_is_oci_streaming("[::1]:9092"));
}

static void
test_refusal_cause(void **state)
{
	struct kafka_security ks = { .bootstrap_servers = OCI_BS,
		.protocol = CONF_KSEC_SASL_SSL, .mechanism = CONF_KMECH_PLAIN,
		.username = "mytenancy/oracleidentitycloudservice/jane@example.com/" POOL,
		.password = "s3cr3t-t0ken", .password_key = "sasl_password_file" };
	char out[1024];

	(void)state;
	/* Well-formed: the token's fault, and for whom to make a new one. */
	kafka_refusal_cause(&ks, out, sizeof(out));
	assert_non_null(strstr(out, "the username's form is right; the broker refused the auth "
	    "token in sasl_password_file (expired or deleted token, or a token of another "
	    "user): create a new auth token"));
	assert_non_null(strstr(out, "for oracleidentitycloudservice/jane@example.com "));
	assert_null(strstr(out, "s3cr3t-t0ken"));
	ks.password_key = "sasl_password";
	kafka_refusal_cause(&ks, out, sizeof(out));
	assert_non_null(strstr(out, "auth token in sasl_password ("));
	/* Malformed: the username's fault, whatever the token. */
	ks.username = "mytenancy/jane";
	kafka_refusal_cause(&ks, out, sizeof(out));
	assert_non_null(strstr(out, "sasl_username is not in the OCI form "
	    "TENANCY_NAME/USER_NAME/STREAM_POOL_OCID (it has two parts"));
	assert_null(strstr(out, "auth token"));
	assert_null(strstr(out, "another Kafka")); /* these are OCI's brokers */
	ks.bootstrap_servers = "127.0.0.1:9092";
	kafka_refusal_cause(&ks, out, sizeof(out));
	assert_non_null(strstr(out, "is not in the OCI form"));
	assert_non_null(strstr(out, "for another Kafka"));
	/* OCI Streaming takes PLAIN only. */
	ks.username = "mytenancy/jane/" POOL;
	ks.bootstrap_servers = OCI_BS;
	ks.mechanism = CONF_KMECH_SCRAM_SHA_256;
	kafka_refusal_cause(&ks, out, sizeof(out));
	assert_non_null(strstr(out, "sasl_mechanism = plain"));
	/* Cut to the buffer, terminated. */
	ks.mechanism = CONF_KMECH_PLAIN;
	kafka_refusal_cause(&ks, out, 16);
	assert_int_equal(strlen(out), 15);
}

static void
test_oci_check(void **state)
{
	struct kafka_security ks = { .bootstrap_servers = OCI_BS,
		.protocol = CONF_KSEC_SASL_SSL, .mechanism = CONF_KMECH_PLAIN,
		.username = "mytenancy/jane/" POOL };
	const char *key = NULL;
	char why[512];

	(void)state;
	assert_int_equal(kafka_oci_check(&ks, &key, why, sizeof(why)), 0);
	ks.username = "jane";
	assert_int_equal(kafka_oci_check(&ks, &key, why, sizeof(why)), -1);
	assert_string_equal(key, "sasl_username");
	assert_non_null(strstr(why, "is not in the OCI form"));
	/* Another Kafka: its own usernames. */
	ks.bootstrap_servers = "kafka.example.com:9092";
	assert_int_equal(kafka_oci_check(&ks, &key, why, sizeof(why)), 0);
	ks.bootstrap_servers = OCI_BS;
	ks.username = "mytenancy/jane/" POOL;
	ks.protocol = CONF_KSEC_PLAINTEXT;
	assert_int_equal(kafka_oci_check(&ks, &key, why, sizeof(why)), -1);
	assert_string_equal(key, "security_protocol");
	ks.protocol = CONF_KSEC_SASL_SSL;
	ks.mechanism = CONF_KMECH_SCRAM_SHA_512;
	assert_int_equal(kafka_oci_check(&ks, &key, why, sizeof(why)), -1);
	assert_string_equal(key, "sasl_mechanism");
}

static void
expect_prop(rd_kafka_conf_t *c, const char *name, const char *want)
{
	char v[512];
	size_t n = sizeof(v);

	assert_int_equal(rd_kafka_conf_get(c, name, v, &n), RD_KAFKA_CONF_OK);
	if (strcmp(v, want) != 0)
		fail_msg("%s = \"%s\", want \"%s\"", name, v, want);
}

static void
test_conf_security(void **state)
{
	struct kafka_security ks = { .bootstrap_servers = "a:9092,b:9092",
		.protocol = CONF_KSEC_SASL_PLAINTEXT, .mechanism = CONF_KMECH_SCRAM_SHA_512,
		.username = "u", .password = "p" };
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	char err[300];

	(void)state;
	assert_int_equal(kafka_conf_security(c, &ks, err, sizeof(err)), 0);
	expect_prop(c, "bootstrap.servers", "a:9092,b:9092");
	expect_prop(c, "security.protocol", "sasl_plaintext");
	expect_prop(c, "sasl.mechanisms", "SCRAM-SHA-512");
	expect_prop(c, "sasl.username", "u");
	rd_kafka_conf_destroy(c);
	/* ssl: no SASL settings at all. */
	c = rd_kafka_conf_new();
	ks.protocol = CONF_KSEC_SSL;
	ks.username = "other";
	assert_int_equal(kafka_conf_security(c, &ks, err, sizeof(err)), 0);
	expect_prop(c, "security.protocol", "ssl");
	expect_prop(c, "sasl.mechanisms", "GSSAPI"); /* librdkafka's default, untouched */
	rd_kafka_conf_destroy(c);
	/* Out of range: refused, not read past the table. */
	c = rd_kafka_conf_new();
	ks.protocol = (enum conf_kafka_security)7;
	assert_int_equal(kafka_conf_security(c, &ks, err, sizeof(err)), -1);
	rd_kafka_conf_destroy(c);
}

/* --probe's wait ends at its timeout when nothing answers (not auth, no metadata). */
static void
test_probe_unreachable(void **state)
{
	struct kafka_probe_seen ps;
	const struct rd_kafka_metadata *md = (const void *)1;
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	char e[256];
	rd_kafka_t *rk;
	rd_kafka_resp_err_t err;

	(void)state;
	/* Port 9 (discard) on loopback: nothing listens in the test machine. */
	assert_int_equal(rd_kafka_conf_set(c, "bootstrap.servers", "127.0.0.1:9", e,
	    sizeof(e)), RD_KAFKA_CONF_OK);
	rd_kafka_conf_set_log_cb(c, NULL);
	kafka_probe_watch(c, &ps);
	rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, e, sizeof(e));
	assert_non_null(rk);
	err = kafka_probe_metadata(rk, "t", 600, &ps, &md);
	assert_int_not_equal(err, RD_KAFKA_RESP_ERR_NO_ERROR);
	assert_false(kafka_err_is_auth(err));
	assert_null(md);
	rd_kafka_destroy(rk);
}

/* ---------------------------------------------------------------- configuration */

static char *
write_tmp(const char *text, const char *name)
{
	char *path = malloc(256);
	FILE *f;

	assert_non_null(path);
	snprintf(path, 256, "/tmp/test_kafka_common.%d.%s", (int)getpid(), name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, 0600);
	return path;
}

static struct conf *
load(const char *text, struct conf_err *err)
{
	char *path = write_tmp(text, "conf");
	struct conf *c;

	memset(err, 0, sizeof(*err));
	c = conf_load(path, err);
	unlink(path);
	free(path);
	return c;
}

/* -t's output for c, in out (bounded: a test's configuration is small). */
static void
dump(const struct conf *c, char *out, size_t size)
{
	FILE *f = fmemopen(out, size, "w");

	assert_non_null(f);
	conf_dump(c, f);
	assert_int_equal(fclose(f), 0);
}

#define HEAD "[daemon]\nstate_dir = /tmp\n"
#define PLAIN_SOURCE "[source p]\ntype = streaming\nbootstrap_servers = b:9092\ntopic = t\n" \
	"group_id = g\nsecurity_protocol = plaintext\n"

static void
test_conf_oci_username(void **state)
{
	struct conf_err err;
	struct conf *c;

	(void)state;
	/* OCI Streaming's brokers: a malformed username is a configuration error, on its
	 * line, for the source and the sink alike. */
	c = load(HEAD "[source k]\ntype = streaming\nbootstrap_servers = " OCI_BS "\n"
	    "topic = t\ngroup_id = g\nsasl_username = mytenancy/jane\nsasl_password = x\n"
	    "[sink s]\ntype = kafka\nbootstrap_servers = " OCI_BS "\ntopic = t\n"
	    "sasl_username = mytenancy/jane/ocid1.stream.oc1.iad.aaaa\nsasl_password = x\n",
	    &err);
	assert_null(c);
	if (strstr(err.text, ":8: [source k] sasl_username: is not in the OCI form") == NULL ||
	    strstr(err.text, ":14: [sink s] sasl_username: is not in the OCI form") == NULL ||
	    strstr(err.text, "a stream's OCID") == NULL)
		fail_msg("%s", err.text);
	conf_err_cleanup(&err);
	/* Another Kafka: any username. */
	c = load(HEAD "[source k]\ntype = streaming\nbootstrap_servers = kafka.example.com:9092\n"
	    "topic = t\ngroup_id = g\nsasl_username = jane\nsasl_password = x\n"
	    "[sink s]\ntype = kafka\nbootstrap_servers = kafka.example.com:9092\ntopic = t\n"
	    "sasl_username = jane\nsasl_password = x\n", &err);
	if (c == NULL)
		fail_msg("%s", err.text);
	conf_free(c);
	conf_err_cleanup(&err);
	/* OCI: sasl_ssl only. */
	c = load(HEAD "[source k]\ntype = streaming\nbootstrap_servers = " OCI_BS "\n"
	    "topic = t\ngroup_id = g\nsecurity_protocol = plaintext\n", &err);
	assert_null(c);
	assert_non_null(strstr(err.text, "[source k] security_protocol: is plaintext, but OCI "
	    "Streaming's brokers"));
	conf_err_cleanup(&err);
}

/* 1 when needle occurs exactly once in hay. */
static int
once(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);

	return p != NULL && strstr(p + 1, needle) == NULL;
}

/* The sink's sasl_password_file is read at load: -t shows it once, masked; a reload
 * compares the token itself; both keys together are refused. */
static void
test_conf_sink_password_file(void **state)
{
	struct conf_err err;
	struct conf *c;
	const struct sink_kafka_conf *t;
	char *tok = write_tmp("s3cr3t-t0ken\n", "tok"), text[1024], d[16384];

	(void)state;
	snprintf(text, sizeof(text), HEAD PLAIN_SOURCE "[sink s]\ntype = kafka\nbootstrap_servers = b:9092\n"
	    "topic = t\nsasl_username = jane\nsasl_password_file = %s\n"
	    "tls_ca_file = /etc/ca.pem\n", tok);
	c = load(text, &err);
	if (c == NULL)
		fail_msg("%s", err.text);
	t = c->sinks[0].type_conf;
	assert_string_equal(t->sasl_password, "s3cr3t-t0ken");
	assert_string_equal(c->sinks[0].tls_ca_file, "/etc/ca.pem");
	dump(c, d, sizeof(d));
	assert_null(strstr(d, "s3cr3t"));
	assert_non_null(strstr(d, "sasl_password = ***\n"));
	/* The path once (the note on the secret), and tls_ca_file once. */
	assert_true(once(d, tok));
	assert_null(strstr(d, "\nsasl_password_file ="));
	assert_non_null(strstr(d, "[sink s]"));
	assert_true(once(strstr(d, "[sink s]"), "tls_ca_file"));
	assert_non_null(strstr(d, "tls_ca_file = /etc/ca.pem\n"));
	conf_free(c);
	conf_err_cleanup(&err);
	/* Both: one setting given twice. */
	snprintf(text, sizeof(text), HEAD PLAIN_SOURCE "[sink s]\ntype = kafka\nbootstrap_servers = b:9092\n"
	    "topic = t\nsasl_username = jane\nsasl_password = x\nsasl_password_file = %s\n",
	    tok);
	c = load(text, &err);
	assert_null(c);
	assert_non_null(strstr(err.text, "sasl_password_file: given together with sasl_password"));
	conf_err_cleanup(&err);
	/* A token file others may read is refused as every secret's. */
	chmod(tok, 0644);
	snprintf(text, sizeof(text), HEAD PLAIN_SOURCE "[sink s]\ntype = kafka\nbootstrap_servers = b:9092\n"
	    "topic = t\nsasl_username = jane\nsasl_password_file = %s\n", tok);
	c = load(text, &err);
	assert_null(c);
	assert_non_null(strstr(err.text, "is accessible by group or others"));
	conf_err_cleanup(&err);
	unlink(tok);
	free(tok);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_username_form),
		cmocka_unit_test(test_oci_endpoint),
		cmocka_unit_test(test_refusal_cause),
		cmocka_unit_test(test_oci_check),
		cmocka_unit_test(test_conf_security),
		cmocka_unit_test(test_probe_unreachable),
		cmocka_unit_test(test_conf_oci_username),
		cmocka_unit_test(test_conf_sink_password_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
