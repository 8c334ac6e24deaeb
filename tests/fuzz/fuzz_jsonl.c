/* tests/fuzz/fuzz_jsonl.c - libFuzzer harness: JSONL report ingest (see
 * fuzz_ingest.h for what is checked). */
#define FUZZ_FORMAT TOLL_FORMAT_JSONL
#include "fuzz_ingest.h"
