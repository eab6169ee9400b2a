/* log.c — see log.h. */
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

/* The one piece of process-wide mutable state: log verbosity is set once for the whole
 * process; everything else is passed explicitly. */
static enum log_level threshold = LOG_LVL_INFO;
static int to_journal = -1; /* -1: not decided yet */

static const char *const level_names[8] = {
	NULL, NULL, NULL, "error", "warning", "notice", "info", "debug",
};

int
log_level_parse(const char *s, enum log_level *out)
{
	static const struct {
		const char *name;
		enum log_level lvl;
	} map[] = {
		{ "debug", LOG_LVL_DEBUG }, { "info", LOG_LVL_INFO },
		{ "notice", LOG_LVL_NOTICE }, { "warning", LOG_LVL_WARNING },
		{ "warn", LOG_LVL_WARNING }, { "error", LOG_LVL_ERROR },
		{ "err", LOG_LVL_ERROR },
	};
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(s, map[i].name) == 0) {
			*out = map[i].lvl;
			return 0;
		}
	}
	return -1;
}

const char *
log_level_name(enum log_level lvl)
{
	if (lvl < LOG_LVL_ERROR || lvl > LOG_LVL_DEBUG)
		return "?";
	return level_names[lvl];
}

void
log_set_level(enum log_level lvl)
{
	threshold = lvl;
}

enum log_level
log_get_level(void)
{
	return threshold;
}

int
log_enabled(enum log_level lvl)
{
	return lvl <= threshold;
}

/*
 * systemd sets $JOURNAL_STREAM to "DEV:INODE" of the stream it connected to stdout and
 * stderr; only when stderr still is that stream do we talk to journald directly
 * (sd_journal_send keeps fields structured; plain text would lose SOURCE=/SINK=).
 */
void
log_init(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	struct stat st;
	unsigned long long dev, ino;

	to_journal = 0;
	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return;
	if (fstat(STDERR_FILENO, &st) != 0)
		return;
	if ((unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino)
		to_journal = 1;
}

/*
 * Messages carry text from the network (OCI error messages, sink answers, URLs): a CR or
 * LF in them would start a line of its own — "notice: finished: everything delivered"
 * forged by whoever wrote the error message — and an ESC could drive the terminal of
 * whoever reads the log.  So every control character becomes visible text: \n, \r, \t
 * by name, other C0 bytes and DEL as \xHH, and the C1 controls (U+0080..U+009F, which
 * some terminals act on, encoded as C2 80..C2 9F) as \u00HH.  Backslashes stay as they
 * are: an escape in the output cannot end a line, which is all this must guarantee.
 * The output is cut, never an escape in the middle, to fit cap (> 0) with its NUL.
 */
static void
escape_controls(char *dst, size_t cap, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)src;
	size_t o = 0;

	for (; *p != '\0'; p++) {
		char e[8];
		size_t n;
		unsigned c = *p;

		if (c == '\n' || c == '\r' || c == '\t') {
			e[0] = '\\';
			e[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
			n = 2;
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(e, "\\x", 2);
			e[2] = hex[c >> 4];
			e[3] = hex[c & 15];
			n = 4;
		} else if (c == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			c = *++p; /* p[1] is at worst the NUL: in bounds */
			memcpy(e, "\\u00", 4);
			e[4] = hex[c >> 4];
			e[5] = hex[c & 15];
			n = 6;
		} else {
			e[0] = (char)c;
			n = 1;
		}
		if (o + n >= cap)
			break;
		memcpy(dst + o, e, n);
		o += n;
	}
	dst[o] = '\0';
}

void
log_vmsg(enum log_level lvl, const char *source, const char *sink,
    const char *fmt, va_list ap)
{
	char raw[4096], msg[4096], name[256];

	if (!log_enabled(lvl))
		return;
	if (to_journal < 0)
		log_init();
	vsnprintf(raw, sizeof(raw), fmt, ap); /* long messages are cut, never overrun */
	escape_controls(msg, sizeof(msg), raw);
	/* Names come from the configuration, but a line is a line: escaped the same way. */
	if (source != NULL) {
		escape_controls(name, sizeof(name), source);
		source = name;
	} else if (sink != NULL) {
		escape_controls(name, sizeof(name), sink);
		sink = name;
	}

	if (to_journal) {
		if (source != NULL)
			sd_journal_send("PRIORITY=%d", (int)lvl, "MESSAGE=[source %s] %s",
			    source, msg, "SOURCE=%s", source,
			    "SYSLOG_IDENTIFIER=oci-logfwd", NULL);
		else if (sink != NULL)
			sd_journal_send("PRIORITY=%d", (int)lvl, "MESSAGE=[sink %s] %s",
			    sink, msg, "SINK=%s", sink,
			    "SYSLOG_IDENTIFIER=oci-logfwd", NULL);
		else
			sd_journal_send("PRIORITY=%d", (int)lvl, "MESSAGE=%s", msg,
			    "SYSLOG_IDENTIFIER=oci-logfwd", NULL);
		return;
	}
	if (source != NULL)
		fprintf(stderr, "%s: [source %s] %s\n", log_level_name(lvl), source, msg);
	else if (sink != NULL)
		fprintf(stderr, "%s: [sink %s] %s\n", log_level_name(lvl), sink, msg);
	else
		fprintf(stderr, "%s: %s\n", log_level_name(lvl), msg);
}

void
log_msg(enum log_level lvl, const char *source, const char *sink,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, source, sink, fmt, ap);
	va_end(ap);
}
