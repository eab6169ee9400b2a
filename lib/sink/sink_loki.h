/*
 * sink_loki.h — the private configuration of a loki sink (its keys: the table in
 * sink_loki.c), reached as struct conf_sink.type_conf; here for the tests that build one.
 */
#ifndef OCI_LOGFWD_SINK_LOKI_H
#define OCI_LOGFWD_SINK_LOKI_H

#include "conf.h"

struct sink_loki_conf {
	char *tenant;              /* X-Scope-OrgID */
	struct conf_list labels;   /* "name=value", "kind", "source"; default source=oci, kind */
};

#endif
