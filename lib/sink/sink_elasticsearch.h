/*
 * sink_elasticsearch.h — the private configuration of an elasticsearch sink (its keys: the table
 * in sink_elasticsearch.c), reached as struct conf_sink.type_conf; here for the tests that
 * build one.
 */
#ifndef OCI_LOGFWD_SINK_ELASTICSEARCH_H
#define OCI_LOGFWD_SINK_ELASTICSEARCH_H

struct sink_elasticsearch_conf {
	char *index;        /* unset: ES_DEFAULT_INDEX (sink_elasticsearch.c) */
};

#endif
