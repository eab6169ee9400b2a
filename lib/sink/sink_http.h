/*
 * sink_http.h — the private configuration of an http sink (its keys: the table
 * in sink_http.c), reached as struct conf_sink.type_conf; here for the tests that
 * build one.
 */
#ifndef OCI_LOGFWD_SINK_HTTP_H
#define OCI_LOGFWD_SINK_HTTP_H

struct sink_http_conf {
	char *template;     /* JSON text with {{field.path}} placeholders; unset: the event */
};

#endif
