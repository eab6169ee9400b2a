/*
 * sink_datadog.h — the private configuration of a datadog sink (its keys: the table
 * in sink_datadog.c), reached as struct conf_sink.type_conf; here for the tests that
 * build one.
 */
#ifndef OCI_LOGFWD_SINK_DATADOG_H
#define OCI_LOGFWD_SINK_DATADOG_H

struct sink_datadog_conf {
	char *site;      /* datadoghq.com (unset), datadoghq.eu, ...: the intake's host */
	char *service;   /* unset: oci-audit, oci-vcn-flow or oci-logging by the event */
	char *ddsource;  /* "oci" by default */
	char *ddtags;
	char *hostname;  /* the `hostname` attribute; unset: none */
};

#endif
