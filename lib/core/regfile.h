/*
 * regfile.h — open a file that must be a regular file (a key, a token, a config file).
 *
 * A FIFO blocks fopen() until a writer comes, and /dev/zero never ends: either freezes
 * start-up or a reload.  regfile_fopen() refuses anything but a regular file before it
 * reads a byte: stat() first, then open(O_NONBLOCK) so that a FIFO swapped in between
 * cannot block, then fstat() on what was opened.
 */
#ifndef REGFILE_H
#define REGFILE_H

#include <errno.h>
#include <stdio.h>

/* errno after regfile_fopen() refused a file that is not a regular file. */
#define REGFILE_ENOTREG EINVAL

/*
 * Like fopen(path, mode) for reading.  NULL with errno set when it cannot be opened;
 * errno is EINVAL when it is not a regular file (regfile_strerror() words it).
 */
FILE *regfile_fopen(const char *path, const char *mode);

/* strerror(e), except for the "not a regular file" refusal of regfile_fopen(). */
const char *regfile_strerror(int e);

#endif
