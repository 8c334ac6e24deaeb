/*
 * src/io/csv/delimiter.h - which field delimiters the CSV readers accept
 * (the report loader, src/io/load.c, and the capture-history loader,
 * src/stats/mse.c).  The public face is toll_csv_delimiter_check
 * (include/toll/common.h).  Nothing here is public API.
 */
#ifndef TOLL_SRC_IO_CSV_DELIMITER_H
#define TOLL_SRC_IO_CSV_DELIMITER_H

#include "toll/common.h"

/*
 * TOLL_OK when `c` can delimit CSV fields: tab or a printable ASCII
 * character other than '"'.  Else TOLL_EINVAL with a message naming
 * `field` (the option, e.g. "csv_delimiter"), the character and what is
 * allowed.  A quote, CR, LF or NUL would change how rows and quoted cells
 * are read; a non-ASCII byte would cut UTF-8 characters.
 */
toll_status toll__csv_delimiter_check(char c, const char *field,
                                      toll_error *err);

#endif /* TOLL_SRC_IO_CSV_DELIMITER_H */
