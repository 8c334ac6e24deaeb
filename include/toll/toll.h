/*
 * toll/toll.h - umbrella header for the toll library.
 *
 * toll turns conflicting casualty reports into defensible numbers:
 * per-incident ranges with provenance, totals by actor, region and period,
 * and estimates of what went undocumented.
 *
 *   toll_reports   - the report store            (toll/reports.h)
 *   toll_preset_*  - import presets (UCDP, ACLED) (toll/presets.h)
 *   toll_quantity  - quantities and the lexicon  (toll/quantity.h)
 *   toll_incidents - reconciled incidents        (toll/reconcile.h)
 *   toll_link_*    - linking reports of one incident (toll/link.h,
 *                    link_compare.h, link_model.h)
 *   toll_table     - result tables and rendering (toll/table.h)
 *   toll_summarize - aggregation                 (toll/summarize.h)
 *   toll_date_*    - calendar helpers            (toll/date.h)
 *   toll_mse_*     - multiple systems estimation (toll/mse.h)
 *   Arrow structs  - the Arrow C Data and Stream Interfaces (toll/arrow.h)
 */
#ifndef TOLL_TOLL_H
#define TOLL_TOLL_H

#include "common.h"
#include "date.h"
#include "quantity.h"
#include "reports.h"
#include "presets.h"
#include "link_compare.h"
#include "link_model.h"
#include "link.h"
#include "reconcile.h"
#include "table.h"
#include "summarize.h"
#include "mse.h"
#include "arrow.h"

#endif /* TOLL_TOLL_H */
