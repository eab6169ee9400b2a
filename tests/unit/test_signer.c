/* test_signer.c — the published OCI signing test vector, key formats, fingerprints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signer.h"

#define SIGNING "tests/data/samples/signing/"
#define OCI "tests/data/oci/"

static char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return p;
}

static EVP_PKEY *
load(const char *path, const char *pass)
{
	struct signer_err err;
	EVP_PKEY *k = signer_load_key_file(path, pass, &err);

	if (k == NULL)
		fail_msg("%s: %s", path, err.msg);
	return k;
}

/* Signs the vector's request with key and compares every published byte. */
static void
check_vector(const char *json_path, EVP_PKEY *key)
{
	json_error_t jerr;
	json_t *v = json_load_file(json_path, 0, &jerr);
	struct signer_err err;
	struct signer_output out;
	struct signer_input in;
	struct signer *s;
	char *body = NULL;
	size_t body_len = 0;
	const char *method;

	assert_non_null(v);
	method = json_string_value(json_object_get(v, "method"));
	s = signer_new(key, json_string_value(json_object_get(v, "key_id")), &err);
	assert_non_null(s);
	memset(&in, 0, sizeof(in));
	in.method = method;
	in.url = json_string_value(json_object_get(v, "url"));
	in.date = "Thu, 05 Jan 2014 21:31:40 GMT";
	if (strcmp(method, "POST") == 0) {
		body = read_all(SIGNING "post-body.json", &body_len);
		assert_int_equal(body_len, 316);
		in.body = body;
		in.body_len = body_len;
		in.content_type = "application/json";
	}
	assert_int_equal(signer_sign(s, &in, &out, &err), 0);
	assert_string_equal(out.signing_string,
	    json_string_value(json_object_get(v, "signing_string")));
	assert_string_equal(out.authorization,
	    json_string_value(json_object_get(v, "authorization")));
	assert_string_equal(out.host, "iaas.us-phoenix-1.oraclecloud.com");
	if (body != NULL) {
		assert_string_equal(out.x_content_sha256,
		    "V9Z20UJTvkvpJ50flBzKE32+6m2zJjweHpDMX/U4Uy0=");
		assert_string_equal(out.content_length, "316");
		assert_true(out.has_body);
	} else {
		assert_false(out.has_body);
	}
	signer_output_cleanup(&out);
	signer_free(s);
	free(body);
	json_decref(v);
}

static void
test_vector_get_post(void **state)
{
	EVP_PKEY *k = load(SIGNING "private_key.pem", NULL);

	check_vector(SIGNING "get-request.json", k);
	check_vector(SIGNING "post-request.json", k);
	EVP_PKEY_free(k);
}

/* The same key in every PEM form gives the identical signatures. */
static void
test_key_formats(void **state)
{
	static const struct {
		const char *path, *pass;
	} forms[] = {
		{ OCI "testonly-sample-pkcs8.pem", NULL },
		{ OCI "testonly-sample-pkcs8-enc.pem", "test-only-pass" },
		{ OCI "testonly-sample-pkcs1-enc.pem", "test-only-pass" },
		{ OCI "testonly-sample-labelled.pem", NULL },
		/* a pass phrase inherited from [DEFAULT] must not break a plain key */
		{ SIGNING "private_key.pem", "unused-pass" },
	};
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		EVP_PKEY *k = load(forms[i].path, forms[i].pass);
		check_vector(SIGNING "get-request.json", k);
		check_vector(SIGNING "post-request.json", k);
		EVP_PKEY_free(k);
	}
}

static void
test_key_errors(void **state)
{
	struct signer_err err;

	assert_null(signer_load_key_file(OCI "testonly-sample-pkcs8-enc.pem", NULL, &err));
	assert_non_null(strstr(err.msg, "no pass_phrase"));
	assert_null(signer_load_key_file(OCI "testonly-sample-pkcs8-enc.pem", "nope", &err));
	assert_non_null(strstr(err.msg, "wrong pass_phrase"));
	assert_null(signer_load_key_file(OCI "testonly-sample-pkcs1-enc.pem", "nope", &err));
	assert_non_null(strstr(err.msg, "wrong pass_phrase"));
	assert_null(signer_load_key_file(SIGNING "public_key.pem", NULL, &err));
	assert_non_null(strstr(err.msg, "not a PEM private key"));
	assert_null(signer_load_key_file(OCI "does-not-exist.pem", NULL, &err));
	assert_non_null(strstr(err.msg, "cannot open"));
}

static void
test_fingerprint(void **state)
{
	EVP_PKEY *k = load(SIGNING "private_key.pem", NULL);
	char fp[48];

	/* The published keyId carries a placeholder; this is the key's real fingerprint. */
	assert_int_equal(signer_key_fingerprint(k, fp), 0);
	assert_string_equal(fp, "73:61:a2:21:67:e0:df:be:7e:4b:93:1e:15:98:a5:b7");
	EVP_PKEY_free(k);
	k = load(OCI "testonly-api-key.pem", NULL);
	assert_int_equal(signer_key_fingerprint(k, fp), 0);
	assert_string_equal(fp, "6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af");
	EVP_PKEY_free(k);
}

static void
test_verify_and_parse(void **state)
{
	EVP_PKEY *k = load(SIGNING "private_key.pem", NULL);
	struct signer_err err;
	struct signer_output out;
	struct signer_input in = { .method = "post",
		.url = "http://127.0.0.1:8080/20190909/search?limit=5&page=a%2Bb",
		.body = "", .body_len = 0 };
	struct signer_auth a;
	struct signer *s = signer_new(k, "ST$eyJ.x.y", &err);

	assert_int_equal(signer_sign(s, &in, &out, &err), 0);
	/* empty POST body still signs the body headers */
	assert_string_equal(out.x_content_sha256, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
	assert_string_equal(out.content_length, "0");
	assert_string_equal(out.host, "127.0.0.1:8080");
	assert_non_null(strstr(out.signing_string,
	    "(request-target): post /20190909/search?limit=5&page=a%2Bb\nhost: 127.0.0.1:8080"));
	assert_int_equal(signer_parse_authorization(out.authorization, &a), 0);
	assert_string_equal(a.key_id, "ST$eyJ.x.y");
	assert_string_equal(a.version, "1");
	assert_string_equal(a.algorithm, "rsa-sha256");
	assert_string_equal(a.headers,
	    "date (request-target) host content-length content-type x-content-sha256");
	assert_true(signer_verify_raw(k, out.signing_string, strlen(out.signing_string),
	    a.signature));
	assert_false(signer_verify_raw(k, out.signing_string, strlen(out.signing_string) - 1,
	    a.signature));
	assert_false(signer_verify_raw(k, "x", 1, "not base64!"));
	signer_auth_cleanup(&a);
	signer_output_cleanup(&out);

	/* federation requests leave host out */
	in.flags = SIGNER_OMIT_HOST;
	assert_int_equal(signer_sign(s, &in, &out, &err), 0);
	assert_null(strstr(out.signing_string, "host:"));
	assert_non_null(strstr(out.authorization,
	    "headers=\"date (request-target) content-length content-type x-content-sha256\""));
	signer_output_cleanup(&out);

	assert_int_equal(signer_parse_authorization("Basic abc", &a), -1);
	assert_int_equal(signer_parse_authorization("Signature keyId=\"unterminated", &a), -1);
	in.url = "no-scheme/path";
	assert_int_equal(signer_sign(s, &in, &out, &err), -1);
	signer_free(s);
	EVP_PKEY_free(k);
}

/* A 90 KB page token (and a long session token) sign like any other URL; only a target
 * beyond SIGNER_MAX_TARGET is refused, with a message that says so. */
static void
test_long_url(void **state)
{
	EVP_PKEY *k = load(SIGNING "private_key.pem", NULL);
	struct signer_err err;
	struct signer_output out;
	struct signer_input in = { .method = "POST", .body = "{}", .body_len = 2 };
	struct signer_auth a;
	const char *prefix = "http://127.0.0.1:8080/20190909/search?limit=1000&page=";
	size_t tok_len = 90 * 1024, plen = strlen(prefix), big = SIGNER_MAX_TARGET + 10, i;
	char *url = malloc(plen + big + 1), *key_id = malloc(8 * 1024), *want;
	struct signer *s;

	assert_non_null(url);
	assert_non_null(key_id);
	memcpy(key_id, "ST$", 3);
	for (i = 3; i < 8 * 1024 - 1; i++)
		key_id[i] = (char)('a' + i % 26);
	key_id[8 * 1024 - 1] = '\0';
	s = signer_new(k, key_id, &err);
	assert_non_null(s);
	memcpy(url, prefix, plen);
	for (i = 0; i < tok_len; i++)
		url[plen + i] = (char)('A' + i % 26);
	url[plen + tok_len] = '\0';
	in.url = url;
	assert_int_equal(signer_sign(s, &in, &out, &err), 0);
	want = malloc(tok_len + 200);
	assert_non_null(want);
	snprintf(want, tok_len + 200, "(request-target): post %s\nhost: 127.0.0.1:8080\n",
	    url + strlen("http://127.0.0.1:8080"));
	assert_non_null(strstr(out.signing_string, want));
	assert_int_equal(signer_parse_authorization(out.authorization, &a), 0);
	assert_string_equal(a.key_id, key_id);
	assert_true(signer_verify_raw(k, out.signing_string, strlen(out.signing_string),
	    a.signature));
	signer_auth_cleanup(&a);
	signer_output_cleanup(&out);

	/* over the limit: refused, and not as a memory failure */
	for (i = tok_len; i < big; i++)
		url[plen + i] = 'x';
	url[plen + big] = '\0';
	assert_int_equal(signer_sign(s, &in, &out, &err), -1);
	assert_non_null(strstr(err.msg, "over the limit"));
	assert_null(strstr(err.msg, "memory"));
	signer_output_cleanup(&out);
	free(want);
	free(url);
	free(key_id);
	signer_free(s);
	EVP_PKEY_free(k);
}

static void
test_date(void **state)
{
	char d[40];
	int64_t a, b;

	/* (the published vector says "Thu", but 5 Jan 2014 was a Sunday) */
	assert_string_equal(signer_format_date(1388957500, d), "Sun, 05 Jan 2014 21:31:40 GMT");
	assert_string_equal(signer_format_date(0, d), "Thu, 01 Jan 1970 00:00:00 GMT");
	setenv("OCI_LOGFWD_CLOCK_SKEW_S", "-600", 1);
	a = signer_now_s();
	unsetenv("OCI_LOGFWD_CLOCK_SKEW_S");
	b = signer_now_s();
	assert_true(b - a >= 599 && b - a <= 601);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_get_post),
		cmocka_unit_test(test_key_formats),
		cmocka_unit_test(test_key_errors),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_verify_and_parse),
		cmocka_unit_test(test_long_url),
		cmocka_unit_test(test_date),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
