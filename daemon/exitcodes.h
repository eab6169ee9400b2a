/*
 * exitcodes.h — the process exit statuses, after sysexits(3), so that systemd and
 * scripts can tell a bad configuration from a refused credential from a crash.
 */
#ifndef OCI_LOGFWD_EXITCODES_H
#define OCI_LOGFWD_EXITCODES_H

enum exit_code {
	EXIT_OK = 0,           /* success (also: stopped by SIGTERM/SIGINT) */
	EXIT_FAILURE_OTHER = 1,/* anything else (one-shot run that could not deliver) */
	EXIT_USAGE = 64,       /* EX_USAGE: bad command line */
	EXIT_UNAVAILABLE = 69, /* EX_UNAVAILABLE: a needed service refused us (auth) */
	EXIT_CONFIG = 78,      /* EX_CONFIG: the configuration file is wrong */
};

#endif
