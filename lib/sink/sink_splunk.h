/*
 * sink_splunk.h — the private configuration of a splunk_hec sink (its keys: the table
 * in sink_splunk.c), reached as struct conf_sink.type_conf; here for the tests that
 * build one.
 */
#ifndef OCI_LOGFWD_SINK_SPLUNK_H
#define OCI_LOGFWD_SINK_SPLUNK_H

struct sink_splunk_conf {
	char *index;        /* unset: the token's default index */
	char *sourcetype;   /* unset: per kind of event */
	char *hostname;     /* the envelope's host; unset: this machine's name */
	char *source_field; /* the envelope's source (key source_name); unset: the source */
};

#endif
