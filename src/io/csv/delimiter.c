/*
 * src/io/csv/delimiter.c - the rule of the CSV field delimiter (see
 * delimiter.h): one home for the report loader, the capture-history
 * loader, the `toll` command's --delimiter and the Python bindings.
 */
#include "io/csv/delimiter.h"

#include <stdio.h>

#include "base/base.h"

toll_status toll__csv_delimiter_check(char c, const char *field,
                                      toll_error *err)
{
    unsigned char u = (unsigned char)c;
    if (u == '\t' || (u >= 0x20 && u < 0x7F && u != '"'))
        return TOLL_OK;
    char shown[16];
    switch (u) {
    case '\0': snprintf(shown, sizeof shown, "NUL"); break;
    case '\n': snprintf(shown, sizeof shown, "'\\n'"); break;
    case '\r': snprintf(shown, sizeof shown, "'\\r'"); break;
    case '"': snprintf(shown, sizeof shown, "'\"'"); break;
    default: snprintf(shown, sizeof shown, "byte 0x%02X", u); break;
    }
    return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, field, &c, u ? 1 : 0,
                        "CSV delimiter %s is not allowed: the delimiter is "
                        "tab or one printable ASCII character other than "
                        "'\"' (not a quote, a line end, NUL, another "
                        "control character or a non-ASCII byte)",
                        shown);
}

toll_status toll_csv_delimiter_check(char c, toll_error *err)
{
    return toll__csv_delimiter_check(c, NULL, err);
}
