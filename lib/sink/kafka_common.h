/*
 * kafka_common.h — what the [source] type = streaming (source_kafka.c) and the [sink]
 * type = kafka (sink_kafka.c) share about reaching Kafka brokers, OCI Streaming's or any
 * other: librdkafka's security settings, OCI Streaming's SASL username form, what a
 * refusal of the credentials means and how to say so, and the --probe connection.
 *
 * Why a refusal is reported by cause: OCI Streaming answers every wrong credential with
 * the same SASL_AUTHENTICATION_FAILED, whether the username is malformed (it must be
 * TENANCY_NAME/USER_NAME/STREAM_POOL_OCID) or the auth token is wrong, expired or
 * deleted.  The username's form can be checked here, so a refusal of a well-formed one
 * is the token's.  The decision is made by librdkafka's error code and the local check,
 * never by the words of the broker's message.
 */
#ifndef OCI_LOGFWD_KAFKA_COMMON_H
#define OCI_LOGFWD_KAFKA_COMMON_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

#include "conf.h"

/* Values of security_protocol and sasl_mechanism, in the order of enum
 * conf_kafka_security / conf_kafka_mechanism (the keys' names; NULL-terminated). */
extern const char *const kafka_security_names[];
extern const char *const kafka_mechanism_names[];

/* How to reach the brokers (all borrowed). */
struct kafka_security {
	const char *bootstrap_servers;
	enum conf_kafka_security protocol;
	enum conf_kafka_mechanism mechanism;
	const char *username;
	const char *password;     /* the secret itself (a _file already read) */
	const char *password_key; /* where it came from, for messages: sasl_password_file
	                           * or sasl_password */
	const char *tls_ca_file;
};

/* 1 when protocol authenticates with SASL (sasl_ssl, sasl_plaintext). */
int kafka_uses_sasl(enum conf_kafka_security protocol);

/*
 * Sets bootstrap.servers, security.protocol, sasl.mechanisms/username/password (for the
 * SASL protocols) and ssl.ca.location (when set) on c.  0, or -1 with err ("property:
 * librdkafka's reason").
 */
int kafka_conf_security(rd_kafka_conf_t *c, const struct kafka_security *ks, char *err,
    size_t errlen);

/*
 * 1 when a host of the host:port list is an OCI Streaming Kafka endpoint,
 * <cell>.streaming.<region>.oci.<realm domain> (e.g. cell-1.streaming.eu-frankfurt-1.
 * oci.oraclecloud.com:9092).  NULL: 0.
 */
int kafka_is_oci_streaming(const char *bootstrap_servers);

/*
 * OCI Streaming's SASL username: TENANCY_NAME/USER_NAME/STREAM_POOL_OCID, where the user
 * name may itself hold '/' (a federated user: oracleidentitycloudservice/jane@x.com; an
 * identity domain's: DOMAIN/jane) and the last part is the stream pool's OCID
 * (ocid1.streampool.<realm>.<region>.<id>).  0 when username has that form, else -1 with
 * what is wrong in why (no secret involved: the username is not one).
 */
int kafka_oci_username_check(const char *username, char *why, size_t whylen);

/*
 * At load (-t): what OCI Streaming's brokers would refuse in ks, checked only when
 * bootstrap_servers names one (another Kafka has its own rules): security_protocol other
 * than sasl_ssl, sasl_mechanism other than plain, a username not in the OCI form.  0, or
 * -1 with the key at fault in *key and why.
 */
int kafka_oci_check(const struct kafka_security *ks, const char **key, char *why,
    size_t whylen);

/* 1 when err (librdkafka's error callback code, or a request's) means the brokers
 * refused the credentials. */
int kafka_err_is_auth(int err);

/*
 * The cause of a refusal of ks's credentials and its fix, one paragraph into out: either
 * "sasl_username is not in the OCI form ..." (and what is wrong with it) or "the
 * username's form is right; the broker refused the auth token in <password_key> ...".
 */
void kafka_refusal_cause(const struct kafka_security *ks, char *out, size_t outlen);

/*
 * --probe: librdkafka's errors while probing.  kafka_probe_watch makes c report them
 * into ps (c's opaque and error callback).
 */
struct kafka_probe_seen {
	int err;          /* the cause: an authentication failure, once seen, is kept */
	char reason[256]; /* librdkafka's text for err */
};
void kafka_probe_watch(rd_kafka_conf_t *c, struct kafka_probe_seen *ps);

/*
 * --probe: the metadata of topic (NULL = the cluster's), waiting at most timeout_ms for
 * a broker, but no longer once the brokers refused the credentials (librdkafka retries a
 * refusal until the timeout: its error callback is served here, between short waits).
 * Returns RD_KAFKA_RESP_ERR_NO_ERROR with *md (rd_kafka_metadata_destroy), the topic's
 * own error when the cluster answered for it (unknown topic, not authorized),
 * RD_KAFKA_RESP_ERR__AUTHENTICATION when refused, or librdkafka's last error.
 */
rd_kafka_resp_err_t kafka_probe_metadata(rd_kafka_t *rk, const char *topic, int timeout_ms,
    struct kafka_probe_seen *ps, const struct rd_kafka_metadata **md);

#endif
