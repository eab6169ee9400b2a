/*
 * safeopen.h — opening a file the daemon appends to (file sink, dead letters) without
 * ever blocking the event loop or writing through a planted link.
 *
 * A FIFO at such a path would block open() until a reader comes (the whole daemon hangs
 * at start-up or on the first dead letter), a device would take events nobody keeps, and
 * a symbolic link would make a root daemon append to any file.  So: open non-blocking,
 * never through a link, check the open descriptor (not the path: no race), refuse what is
 * not a regular file, then make the descriptor blocking again for plain writes.
 * /dev/null is the one exception (an explicit "discard").
 */
#ifndef OCI_LOGFWD_SAFEOPEN_H
#define OCI_LOGFWD_SAFEOPEN_H

/* errno for "not a regular file" (open() never gives it for these paths). */
#define SAFEOPEN_ENOTREG 0x5AFE

/*
 * Opens path for appending, created 0600 when missing.  The descriptor (O_CLOEXEC), or -1
 * with errno set (SAFEOPEN_ENOTREG when path is a FIFO, socket, device or folder).
 */
int safeopen_append(const char *path);

/* strerror() that also names SAFEOPEN_ENOTREG. */
const char *safeopen_strerror(int err);

#endif
