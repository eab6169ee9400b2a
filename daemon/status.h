/*
 * status.h — `oci-logfwd status [-c FILE | --url URL] [--watch]`: what a running daemon
 * is doing, one line per source and per sink, read from its /metrics and /healthz.
 */
#ifndef OCI_LOGFWD_STATUS_H
#define OCI_LOGFWD_STATUS_H

/*
 * argv[0] is "status".  Returns the exit status: 0, 1 (the daemon cannot be reached or
 * its answer is unusable), 64 (usage), 78 (no metrics_listen, or the file unreadable).
 */
int status_main(int argc, char **argv, const char *default_config);

#endif
