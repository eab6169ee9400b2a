/* safeopen.c — see safeopen.h. */
#include "safeopen.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
is_dev_null(const struct stat *st)
{
	struct stat n;

	return S_ISCHR(st->st_mode) && stat("/dev/null", &n) == 0 && S_ISCHR(n.st_mode) &&
	    n.st_rdev == st->st_rdev;
}

int
safeopen_append(const char *path)
{
	struct stat st;
	int fd, flags;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY |
	    O_NONBLOCK, 0600);
	if (fd < 0) {
		/* O_WRONLY|O_NONBLOCK on a FIFO without a reader: ENXIO.  A folder: EISDIR. */
		if (errno == ENXIO || errno == EISDIR)
			errno = SAFEOPEN_ENOTREG;
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !is_dev_null(&st)) {
		close(fd);
		errno = SAFEOPEN_ENOTREG;
		return -1;
	}
	/* Plain blocking writes from here on (a regular file never blocks for long). */
	if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

const char *
safeopen_strerror(int err)
{
	if (err == SAFEOPEN_ENOTREG)
		return "not a regular file (a FIFO, socket, device or folder; refused: it "
		    "could block the daemon or lose events)";
	return strerror(err);
}
