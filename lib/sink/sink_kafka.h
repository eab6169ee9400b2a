/*
 * sink_kafka.h — the private configuration of a kafka sink (its keys: the table in
 * sink_kafka.c), reached as struct conf_sink.type_conf; here for the tests that build one.
 * tls_ca_file is the generic [sink] key (struct conf_sink).
 */
#ifndef OCI_LOGFWD_SINK_KAFKA_H
#define OCI_LOGFWD_SINK_KAFKA_H

#include <stdint.h>

struct sink_kafka_conf {
	char *bootstrap_servers;  /* required: host:port list */
	char *topic;              /* required */
	int security_protocol;    /* sasl_ssl (default) | ssl | sasl_plaintext | plaintext */
	int sasl_mechanism;       /* plain (default) | scram-sha-256 | scram-sha-512 */
	char *sasl_username;
	char *sasl_password;      /* secret; sasl_password_file is read at load (conf.c) */
	char *sasl_password_file; /* where it was read from, when so given */
	int64_t max_message_bytes;/* message.max.bytes; 0 = librdkafka's default */
};

#endif
