/* tests/fuzz/fuzz_csv.c - libFuzzer harness: CSV report ingest (see
 * fuzz_ingest.h for what is checked). */
#define FUZZ_FORMAT TOLL_FORMAT_CSV
#include "fuzz_ingest.h"
