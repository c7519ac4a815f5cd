#include "at_error.h"

#include <stdarg.h>
#include <stdio.h>

int at_err_set(at_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

const char *at_err_name(int code)
{
    switch (code) {
    case AT_OK: return "OK";
    case AT_EIO: return "EIO";
    case AT_EFORMAT: return "EFORMAT";
    case AT_ENOMEM: return "ENOMEM";
    case AT_EINVAL: return "EINVAL";
    case AT_ENOTFOUND: return "ENOTFOUND";
    case AT_ERANGE: return "ERANGE";
    case AT_ETIMEDOUT: return "ETIMEDOUT";
    case AT_EDEVICE: return "EDEVICE";
    case AT_EUNSUPPORTED: return "EUNSUPPORTED";
    default: return "EUNKNOWN";
    }
}
