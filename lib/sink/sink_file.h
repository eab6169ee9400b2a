/*
 * sink_file.h — the private configuration of a file sink (its key: the table in
 * sink_file.c), reached as struct conf_sink.type_conf; here for the tests that build one.
 */
#ifndef OCI_LOGFWD_SINK_FILE_H
#define OCI_LOGFWD_SINK_FILE_H

struct sink_file_conf {
	char *path;         /* the NDJSON file appended to (required) */
};

#endif
