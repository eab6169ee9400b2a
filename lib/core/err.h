/*
 * err.h — the one error type of the library's constructors: a message for the log and a
 * kind for the caller's decision (the daemon's exit status), so that nothing is decided
 * by the words of a message.
 */
#ifndef OCI_LOGFWD_ERR_H
#define OCI_LOGFWD_ERR_H

enum err_kind {
	ERR_OTHER,       /* memory, a corrupt checkpoint, anything else */
	ERR_CONFIG,      /* the configuration cannot work (a sink that cannot be set up) */
	ERR_UNAVAILABLE, /* a service or credential refused us (OCI credentials) */
};

struct err {
	enum err_kind kind;
	char msg[1024];
};

/* Sets kind and the printf-style message (truncated to fit). */
void err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
