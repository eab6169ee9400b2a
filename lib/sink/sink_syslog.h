/*
 * sink_syslog.h — the private configuration of a syslog sink (its keys: the table
 * in sink_syslog.c), reached as struct conf_sink.type_conf; here for the tests that
 * build one.
 */
#ifndef OCI_LOGFWD_SINK_SYSLOG_H
#define OCI_LOGFWD_SINK_SYSLOG_H

struct sink_syslog_conf {
	char *hostname;     /* HOSTNAME of the messages; unset: this machine's name */
	int summary;        /* MSG is the one-line summary (key syslog_message = summary) */
};

#endif
