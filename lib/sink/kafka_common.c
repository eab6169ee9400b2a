/*
 * kafka_common.c — see kafka_common.h.
 */
#include "kafka_common.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "timeutil.h"

const char *const kafka_security_names[] = { "sasl_ssl", "ssl", "sasl_plaintext",
	"plaintext", NULL };
const char *const kafka_mechanism_names[] = { "plain", "scram-sha-256", "scram-sha-512",
	NULL };

/* librdkafka's names for sasl.mechanisms, in the order of enum conf_kafka_mechanism. */
static const char *const rd_mechanisms[] = { "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512" };

int
kafka_uses_sasl(enum conf_kafka_security protocol)
{
	return protocol == CONF_KSEC_SASL_SSL || protocol == CONF_KSEC_SASL_PLAINTEXT;
}

static int
set(rd_kafka_conf_t *c, const char *name, const char *value, char *err, size_t errlen)
{
	char e[256];

	if (value == NULL)
		return 0;
	if (rd_kafka_conf_set(c, name, value, e, sizeof(e)) != RD_KAFKA_CONF_OK) {
		snprintf(err, errlen, "%s: %s", name, e);
		return -1;
	}
	return 0;
}

int
kafka_conf_security(rd_kafka_conf_t *c, const struct kafka_security *ks, char *err,
    size_t errlen)
{
	if ((unsigned)ks->protocol > CONF_KSEC_PLAINTEXT ||
	    (unsigned)ks->mechanism > CONF_KMECH_SCRAM_SHA_512) {
		snprintf(err, errlen, "security_protocol or sasl_mechanism out of range");
		return -1;
	}
	if (set(c, "bootstrap.servers", ks->bootstrap_servers, err, errlen) ||
	    set(c, "security.protocol", kafka_security_names[ks->protocol], err, errlen) ||
	    set(c, "ssl.ca.location", ks->tls_ca_file, err, errlen))
		return -1;
	if (kafka_uses_sasl(ks->protocol) &&
	    (set(c, "sasl.mechanisms", rd_mechanisms[ks->mechanism], err, errlen) ||
	     set(c, "sasl.username", ks->username, err, errlen) ||
	     set(c, "sasl.password", ks->password, err, errlen)))
		return -1;
	return 0;
}

int
kafka_is_oci_streaming(const char *bs)
{
	char host[256];
	const char *p = bs, *e, *s;
	size_t n;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		/* host:port; an IPv6 literal ([...]:port) is no OCI endpoint. */
		if (n > 0 && n < sizeof(host) && *p != '[') {
			memcpy(host, p, n);
			host[n] = '\0';
			host[strcspn(host, ":")] = '\0';
			/* <cell>.streaming.<region>.oci.<domain>: a label before, one between. */
			s = strstr(host, ".streaming.");
			if (s != NULL && s > host) {
				const char *region = s + strlen(".streaming.");
				const char *dot = strchr(region, '.');
				if (dot != NULL && dot > region && strncasecmp(dot, ".oci.", 5) == 0 &&
				    dot[5] != '\0')
					return 1;
			}
		}
		p = *e != '\0' ? e + 1 : e;
	}
	return 0;
}

int
kafka_oci_username_check(const char *u, char *why, size_t whylen)
{
	const char *first, *last;

	if (u == NULL || *u == '\0') {
		snprintf(why, whylen, "it is empty");
		return -1;
	}
	/* A pasted line keeps its blanks, and the broker compares them too. */
	for (const char *c = u; *c != '\0'; c++) {
		if (*c == ' ' || *c == '\t') {
			snprintf(why, whylen, "it holds white space");
			return -1;
		}
	}
	first = strchr(u, '/');
	last = strrchr(u, '/');
	if (first == NULL || first == last) {
		snprintf(why, whylen, "it has %s part%s, not three separated by '/'",
		    first == NULL ? "one" : "two", first == NULL ? "" : "s");
		return -1;
	}
	if (first == u) {
		snprintf(why, whylen, "the tenancy name (before the first '/') is empty");
		return -1;
	}
	if (strncmp(u, "ocid1.", 6) == 0) {
		snprintf(why, whylen, "it starts with an OCID where the tenancy's name goes "
		    "(the name shown in the Console, not ocid1.tenancy...)");
		return -1;
	}
	if (last == first + 1) {
		snprintf(why, whylen, "the user name (between the tenancy name and the stream "
		    "pool OCID) is empty");
		return -1;
	}
	for (const char *c = first + 1; c < last; c++) {
		if (*c == '/' && (c[1] == '/' || c + 1 == last)) {
			snprintf(why, whylen, "the user name holds an empty part ('//')");
			return -1;
		}
	}
	if (strncmp(last + 1, "ocid1.streampool.", 17) != 0) {
		snprintf(why, whylen, "the last part is %s, not the stream pool's OCID "
		    "(ocid1.streampool...)", strncmp(last + 1, "ocid1.stream.", 13) == 0 ?
		    "a stream's OCID" : last[1] == '\0' ? "empty" : strncmp(last + 1, "ocid1.",
		    6) == 0 ? "another kind of OCID" : "not an OCID");
		return -1;
	}
	/* ocid1.streampool.<realm>.<region>.<unique id>: the id is never empty. */
	{
		const char *o = last + 1 + 17, *dot1 = strchr(o, '.');
		const char *dot2 = dot1 != NULL ? strchr(dot1 + 1, '.') : NULL;
		if (dot1 == NULL || dot1 == o || dot2 == NULL || dot2[1] == '\0') {
			snprintf(why, whylen, "the stream pool OCID is cut short (it reads "
			    "ocid1.streampool.<realm>.<region>.<id>)");
			return -1;
		}
	}
	return 0;
}

int
kafka_oci_check(const struct kafka_security *ks, const char **key, char *why,
    size_t whylen)
{
	char w[200];

	if (!kafka_is_oci_streaming(ks->bootstrap_servers))
		return 0;
	if (ks->protocol != CONF_KSEC_SASL_SSL) {
		*key = "security_protocol";
		snprintf(why, whylen, "is %s, but OCI Streaming's brokers (%s) take sasl_ssl only",
		    kafka_security_names[ks->protocol], ks->bootstrap_servers);
		return -1;
	}
	if (ks->mechanism != CONF_KMECH_PLAIN) {
		*key = "sasl_mechanism";
		snprintf(why, whylen, "is %s, but OCI Streaming's brokers (%s) take plain only",
		    kafka_mechanism_names[ks->mechanism], ks->bootstrap_servers);
		return -1;
	}
	if (ks->username != NULL && kafka_oci_username_check(ks->username, w, sizeof(w)) != 0) {
		*key = "sasl_username";
		snprintf(why, whylen, "is not in the OCI form TENANCY_NAME/USER_NAME/"
		    "STREAM_POOL_OCID (%s): OCI Streaming's brokers (%s) refuse any other "
		    "(a federated user: TENANCY_NAME/oracleidentitycloudservice/USER_NAME/"
		    "ocid1.streampool...)", w, ks->bootstrap_servers);
		return -1;
	}
	return 0;
}

int
kafka_err_is_auth(int err)
{
	return err == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
	    err == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED;
}

void
kafka_refusal_cause(const struct kafka_security *ks, char *out, size_t outlen)
{
	const char *pk = ks->password_key != NULL ? ks->password_key : "sasl_password";
	const char *u = ks->username != NULL ? ks->username : "";
	char why[200];

	if (!kafka_uses_sasl(ks->protocol)) {
		/* ssl/plaintext: no SASL credentials of ours; a client certificate, perhaps. */
		snprintf(out, outlen, "the brokers require authentication that security_protocol "
		    "= %s does not give: OCI Streaming needs sasl_ssl with sasl_username and an "
		    "auth token", kafka_security_names[ks->protocol]);
		return;
	}
	if (kafka_oci_username_check(u, why, sizeof(why)) != 0) {
		snprintf(out, outlen, "sasl_username is not in the OCI form "
		    "TENANCY_NAME/USER_NAME/STREAM_POOL_OCID (%s); OCI Streaming refuses any "
		    "other form: write it as TENANCY_NAME/USER_NAME/ocid1.streampool... (a "
		    "federated user: TENANCY_NAME/oracleidentitycloudservice/USER_NAME/...)%s",
		    why, kafka_is_oci_streaming(ks->bootstrap_servers) ? "" :
		    "; for another Kafka, check the username and password with its "
		    "administrator");
		return;
	}
	if (ks->mechanism != CONF_KMECH_PLAIN && kafka_is_oci_streaming(ks->bootstrap_servers)) {
		snprintf(out, outlen, "OCI Streaming authenticates with sasl_mechanism = plain "
		    "only, not %s: set sasl_mechanism = plain",
		    kafka_mechanism_names[ks->mechanism]);
		return;
	}
	{
		/* The user's part, for the fix: everything between the tenancy and the pool. */
		const char *first = strchr(u, '/'), *last = strrchr(u, '/');
		snprintf(out, outlen, "the username's form is right; the broker refused the auth "
		    "token in %s (expired or deleted token, or a token of another user): create "
		    "a new auth token for %.*s (Console: Identity > Users > the user > Auth "
		    "tokens), write it to %s and reload (SIGHUP)", pk,
		    (int)(last - first - 1), first + 1, pk);
	}
}

static void
probe_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct kafka_probe_seen *ps = opaque;

	(void)rk;
	/* A refusal says more than the disconnects that follow it. */
	if (kafka_err_is_auth(ps->err) && !kafka_err_is_auth(err))
		return;
	ps->err = err;
	snprintf(ps->reason, sizeof(ps->reason), "%s", reason);
}

void
kafka_probe_watch(rd_kafka_conf_t *c, struct kafka_probe_seen *ps)
{
	memset(ps, 0, sizeof(*ps));
	rd_kafka_conf_set_opaque(c, ps);
	rd_kafka_conf_set_error_cb(c, probe_error);
}

/* A slice of the wait: short enough that a refusal ends the probe at once. */
#define PROBE_SLICE_MS 250

rd_kafka_resp_err_t
kafka_probe_metadata(rd_kafka_t *rk, const char *topic, int timeout_ms,
    struct kafka_probe_seen *ps, const struct rd_kafka_metadata **md)
{
	int64_t end = timeutil_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	rd_kafka_topic_t *rkt = NULL;
	rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TIMED_OUT;

	*md = NULL;
	if (topic != NULL && (rkt = rd_kafka_topic_new(rk, topic, NULL)) == NULL)
		return rd_kafka_last_error();
	for (;;) {
		int64_t left = end - timeutil_mono_ms();
		const struct rd_kafka_metadata *m = NULL;

		err = rd_kafka_metadata(rk, rkt == NULL, rkt, &m,
		    (int)(left < PROBE_SLICE_MS ? (left > 0 ? left : 1) : PROBE_SLICE_MS));
		rd_kafka_poll(rk, 0); /* the error callback: probe_error */
		if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
			if (rkt != NULL && m->topic_cnt == 1 && m->topics[0].err) {
				err = m->topics[0].err;
				rd_kafka_metadata_destroy(m);
			} else {
				*md = m;
			}
			break;
		}
		if (kafka_err_is_auth(ps->err)) {
			err = RD_KAFKA_RESP_ERR__AUTHENTICATION;
			break;
		}
		if (timeutil_mono_ms() >= end)
			break;
	}
	if (rkt != NULL)
		rd_kafka_topic_destroy(rkt);
	return err;
}
