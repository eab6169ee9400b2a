/*
 * regfile.c — open only regular files, without ever blocking (see regfile.h).
 */
#include "regfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

FILE *
regfile_fopen(const char *path, const char *mode)
{
	struct stat st;
	FILE *f;
	int fd, flags, e;

	if (stat(path, &st) != 0)
		return NULL;
	if (!S_ISREG(st.st_mode)) {
		errno = REGFILE_ENOTREG;
		return NULL;
	}
	/* O_NONBLOCK: a FIFO put there after the stat() must not block the open. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return NULL;
	e = fstat(fd, &st) != 0 ? errno : !S_ISREG(st.st_mode) ? REGFILE_ENOTREG : 0;
	if (e != 0) {
		close(fd);
		errno = e;
		return NULL;
	}
	/* Reads of a regular file do not block anyway; clear the flag for stdio. */
	flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	f = fdopen(fd, mode);
	if (f == NULL) {
		e = errno;
		close(fd);
		errno = e;
	}
	return f;
}

const char *
regfile_strerror(int e)
{
	return e == REGFILE_ENOTREG ? "not a regular file" : strerror(e);
}
