/*
 * sink_auth.h — the Authorization header of a sink, built in one place for the sink
 * itself (sink_add_auth) and for --probe (probe.c): which key becomes which scheme.
 */
#ifndef OCI_LOGFWD_SINK_AUTH_H
#define OCI_LOGFWD_SINK_AUTH_H

struct conf_sink;

/* A scheme and the key it is made from. */
enum sink_auth {
	SINK_AUTH_END,     /* ends a list */
	SINK_AUTH_APIKEY,  /* api_key -> "ApiKey <api_key>" (Elasticsearch) */
	SINK_AUTH_BEARER,  /* token -> "Bearer <token>" */
	SINK_AUTH_BASIC,   /* username, password -> "Basic base64(username:password)" */
	SINK_AUTH_SPLUNK,  /* token -> "Splunk <token>" (HEC) */
};

/*
 * The first scheme of schemes (SINK_AUTH_END-terminated; NULL = none) whose key is set
 * in cfg: *hdr = "Authorization: ..." (heap; the caller clears and frees it, it holds a
 * credential) and *from = the key's name; both NULL when no key is set.  0, or -1 when
 * out of memory.
 */
int sink_auth_header(const struct conf_sink *cfg, const enum sink_auth *schemes,
    char **hdr, const char **from);

#endif
