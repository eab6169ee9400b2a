/*
 * sink_file.c — the file sink (NDJSON appended to `path`, fsync'd before the events are
 * acknowledged, reopened on SIGHUP for logrotate) and the stdout sink (NDJSON on standard
 * output).  No HTTP: the engine calls write() synchronously with a batch body.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "safeopen.h"
#include "sink_file.h"
#include "sink_impl.h"

/* The type's own key (struct sink_file_conf); -t prints it after `url`.  The stdout
 * type shares this file's code but has no config (type_conf NULL: no path). */
static const struct key file_conf_keys[] = {
	CONF_TYPE_KEY_URL("path", V_PATH, struct sink_file_conf, path, 0, 0, NULL),
	CONF_TYPE_KEYS_END,
};

static const struct sink_file_conf *
fc(const struct conf_sink *cfg)
{
	static const struct sink_file_conf none;

	return cfg->type_conf != NULL ? cfg->type_conf : &none;
}

struct filesink {
	int fd;
	int is_stdout;
};

/*
 * Created 0600 (the events may be sensitive: audit records), and never through a
 * symbolic link: one planted at the path would have a root daemon append to any file.
 * A FIFO or device is refused, not waited on (safeopen.h).
 */
static int
open_path(const char *path)
{
	return safeopen_append(path);
}

static int
file_init(struct sink *s, struct err *err)
{
	struct sink_common *c = sink_common(s);
	struct filesink *f;

	if (fc(c->cfg)->path == NULL || *fc(c->cfg)->path == '\0') {
		snprintf(err->msg, sizeof(err->msg), "path is required");
		return -1;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	c->priv = f;
	c->target = fc(c->cfg)->path;
	f->fd = open_path(fc(c->cfg)->path);
	if (f->fd < 0) {
		snprintf(err->msg, sizeof(err->msg), "cannot open %s: %s", fc(c->cfg)->path,
		    safeopen_strerror(errno));
		return -1;
	}
	c->item_is_json = 1;
	c->per_item_overhead = 1;
	return 0;
}

static int
stdout_init(struct sink *s, struct err *err)
{
	struct sink_common *c = sink_common(s);
	struct filesink *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	f->fd = STDOUT_FILENO;
	f->is_stdout = 1;
	c->priv = f;
	c->item_is_json = 1;
	c->per_item_overhead = 1;
	return 0;
}

static void
file_fini(struct sink *s)
{
	struct filesink *f = sink_common(s)->priv;

	if (f == NULL)
		return;
	if (!f->is_stdout && f->fd >= 0)
		close(f->fd);
	free(f);
	sink_common(s)->priv = NULL;
}

static int
file_assemble(struct sink *s, struct sink_event *const *evs, size_t n, struct buf *out)
{
	size_t i, total = 0;

	for (i = 0; i < n; i++)
		total += evs[i]->item_len + 1;
	if (buf_reserve(out, total) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		size_t start = out->len, k;
		if (buf_append(out, evs[i]->item, evs[i]->item_len) != 0 ||
		    buf_append_char(out, '\n') != 0)
			return -1;
		/* One line per event: a newline inside an event would break NDJSON. */
		for (k = start; k < out->len - 1; k++)
			if (out->data[k] == '\n' || out->data[k] == '\r')
				out->data[k] = ' ';
	}
	return 0;
}

static int
file_write(struct sink *s, const char *body, size_t len, char *errbuf, size_t errlen)
{
	struct filesink *f = sink_common(s)->priv;
	const char *path = fc(sink_common(s)->cfg)->path;
	const char *what = path ? path : "stdout";
	size_t off = 0;

	if (f->fd < 0) {
		f->fd = open_path(fc(sink_common(s)->cfg)->path);
		if (f->fd < 0) {
			snprintf(errbuf, errlen, "cannot open %s: %s", what,
			    safeopen_strerror(errno));
			return -1;
		}
	}
	while (off < len) {
		ssize_t w = write(f->fd, body + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(errbuf, errlen, "cannot write %s: %s", what,
			    w < 0 ? strerror(errno) : "short write");
			return -1;
		}
		off += (size_t)w;
	}
	/* Durable before acknowledged (a pipe or terminal cannot be synced: fine). */
	if (fsync(f->fd) != 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP) {
		snprintf(errbuf, errlen, "cannot fsync %s: %s", what, strerror(errno));
		return -1;
	}
	return 0;
}

static void
file_reopen(struct sink *s)
{
	struct filesink *f = sink_common(s)->priv;
	int fd;

	if (f == NULL || f->is_stdout)
		return;
	fd = open_path(fc(sink_common(s)->cfg)->path);
	if (fd < 0) {
		/* Keep writing to the old file rather than lose events. */
		log_msg(LOG_LVL_ERROR, NULL, sink_common(s)->cfg->name,
		    "cannot reopen %s: %s; still writing to the old file",
		    fc(sink_common(s)->cfg)->path, safeopen_strerror(errno));
		return;
	}
	if (f->fd >= 0)
		close(f->fd);
	f->fd = fd;
}

/* Can the file sink append to its file?  Nothing is written; a file made is removed. */
static enum sink_probe_verdict
file_probe(const struct conf_sink *cfg, struct buf *detail, struct buf *fix)
{
	const char *path = fc(cfg)->path;
	int fd, made = 0, e;

	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
		made = fd >= 0;
	}
	if (fd >= 0) {
		close(fd);
		if (made && unlink(path) != 0) {
			buf_printf(detail, "%s: created, but cannot remove the test file: %s",
			    path, strerror(errno));
			return SINK_PROBE_WARN;
		}
		buf_printf(detail, "%s: %s", path, made ? "can be created (folder is "
		    "writable)" : "can be appended to");
		return SINK_PROBE_OK;
	}
	e = errno;
	buf_printf(detail, "%s: %s", path, strerror(e));
	if (e == ENOENT)
		buf_printf(fix, "The folder of %s does not exist: create it, writable by "
		    "the user the daemon runs as.", path);
	else if (e == EACCES || e == EPERM || e == EROFS)
		buf_printf(fix, "Make the folder of %s writable by the user the daemon runs "
		    "as (under systemd: a path in StateDirectory=/LogsDirectory=, or "
		    "ReadWritePaths=).", path);
	else
		buf_printf(fix, "Check path: it must name a regular file in a writable "
		    "folder.");
	return SINK_PROBE_FAILED;
}

static enum sink_probe_verdict
stdout_probe(const struct conf_sink *cfg, struct buf *detail, struct buf *fix)
{
	buf_append_str(detail, "standard output");
	return SINK_PROBE_OK;
}

const struct sink_ops sink_file_ops = {
	.type = "file",
	.conf_keys = file_conf_keys,
	.conf_size = sizeof(struct sink_file_conf),
	.required = "path",
	.probe_local = file_probe,
	.init = file_init,
	.fini = file_fini,
	.assemble = file_assemble,
	.write = file_write,
	.reopen = file_reopen,
};

const struct sink_ops sink_stdout_ops = {
	.type = "stdout",
	.probe_local = stdout_probe,
	.init = stdout_init,
	.fini = file_fini,
	.assemble = file_assemble,
	.write = file_write,
	.reopen = file_reopen,
};
