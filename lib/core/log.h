/*
 * log.h — leveled logging that reads well in journalctl.
 *
 * When stderr is connected to the journal ($JOURNAL_STREAM names stderr's device and
 * inode), entries go to journald with sd_journal_send: PRIORITY, MESSAGE, and SOURCE= /
 * SINK= fields when the entry concerns one.  Otherwise each entry is one plain line on
 * stderr: "LEVEL: [source NAME] message".
 *
 * Every control character in a message (and in a source or sink name) is written
 * escaped — LF as \n, CR as \r, TAB as \t, other C0 bytes and DEL as \xHH, C1 controls
 * as \u00HH — on stderr and in the journal alike, so text from the network can never
 * start a line of its own.  A message is one line.
 *
 * Never pass a secret to these functions.  The verbosity is the one process-wide setting
 * (log_set_level); everything else is stateless.
 */
#ifndef OCI_LOGFWD_LOG_H
#define OCI_LOGFWD_LOG_H

#include <stdarg.h>

/* Syslog priorities, so that journald's PRIORITY= matches. */
enum log_level {
	LOG_LVL_ERROR = 3,
	LOG_LVL_WARNING = 4,
	LOG_LVL_NOTICE = 5,
	LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7,
};

/* Parses "debug|info|notice|warning|error" (also "warn", "err"); -1 if unknown. */
int log_level_parse(const char *s, enum log_level *out);
const char *log_level_name(enum log_level lvl);

/* Sets the process-wide threshold; entries above it are discarded. */
void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
int log_enabled(enum log_level lvl);

/* Decides once whether stderr is the journal.  Safe to call again (tests). */
void log_init(void);

/* The generic entry point: source and sink may be NULL. */
void log_msg(enum log_level lvl, const char *source, const char *sink,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void log_vmsg(enum log_level lvl, const char *source, const char *sink,
    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

#define log_error(...) log_msg(LOG_LVL_ERROR, NULL, NULL, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LVL_WARNING, NULL, NULL, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LVL_NOTICE, NULL, NULL, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, NULL, NULL, __VA_ARGS__)
#define log_debug(...)                                                    \
	do {                                                              \
		if (log_enabled(LOG_LVL_DEBUG))                           \
			log_msg(LOG_LVL_DEBUG, NULL, NULL, __VA_ARGS__);  \
	} while (0)

/* For one source / one sink: adds SOURCE= or SINK= in the journal, a tag on stderr. */
#define log_source(lvl, name, ...) log_msg((lvl), (name), NULL, __VA_ARGS__)
#define log_sink(lvl, name, ...) log_msg((lvl), NULL, (name), __VA_ARGS__)

#endif
