/* Error codes and messages shared by every acceltran library.
 * Functions return 0 or a negative AT_E* code and, when given a non-NULL
 * at_err, fill it with a message naming the file/object and the problem. */
#ifndef ACCELTRAN_AT_ERROR_H
#define ACCELTRAN_AT_ERROR_H

#include <stddef.h>

enum {
    AT_OK = 0,
    AT_EIO = -1,        /* open/read/write failed */
    AT_EFORMAT = -2,    /* malformed file or stream */
    AT_ENOMEM = -3,     /* allocation failed */
    AT_EINVAL = -4,     /* bad argument */
    AT_ENOTFOUND = -5,  /* missing tensor, key, token, ... */
    AT_ERANGE = -6,     /* value or offset out of range */
    AT_ETIMEDOUT = -7,  /* a wait ran out */
    AT_EDEVICE = -8,    /* the device reported an error */
    AT_EUNSUPPORTED = -9
};

typedef struct at_err {
    int code;
    char msg[512];
} at_err;

/* Records code and a printf-style message in err (if non-NULL); returns code. */
int at_err_set(at_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Short name of a code, e.g. "EFORMAT". */
const char *at_err_name(int code);

#endif
