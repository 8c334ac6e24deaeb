/* tests/fuzz/fuzz_json.c - libFuzzer harness: JSON report ingest (see
 * fuzz_ingest.h for what is checked). */
#define FUZZ_FORMAT TOLL_FORMAT_JSON
#include "fuzz_ingest.h"
