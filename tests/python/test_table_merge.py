"""Table.merge: summaries of disjoint parts of the incidents merged into
the summary of all of them, and the Dask recipe of docs/scaling.md."""
import functools
import os

import pytest

import toll
from conftest import RECORDS, ROOT, shared_data

GED_SAMPLE = os.path.join(ROOT, "data", "ucdp", "ged241_myanmar_sample.csv")


def assert_same_table(got, want):
    """Every cell, the row order, the keys, caption and flags."""
    assert got.columns == want.columns
    assert got.column_types == want.column_types
    assert got.nkeys == want.nkeys
    assert got.additive == want.additive
    assert got.caption == want.caption
    assert got.warnings == want.warnings
    assert got.to_dict() == want.to_dict()
    assert got.to_csv(totals=True) == want.to_csv(totals=True)


def summary(records, **options):
    return toll.Reports.from_records(records).reconcile().summarize(
        **options)


def halves():
    """The records of aleppo-1, and those of the other incidents."""
    first = [r for r in RECORDS if r["incident"] == "aleppo-1"]
    second = [r for r in RECORDS if r["incident"] != "aleppo-1"]
    return first, second


@pytest.mark.parametrize("by", [None, "actor", "actor,period:month",
                                "region:0,period:day", "grade,category"])
def test_merge_of_two_halves_should_equal_the_whole(by):
    first, second = halves()
    whole = summary(RECORDS, by=by)
    a, b = summary(first, by=by), summary(second, by=by)
    assert_same_table(a.merge(b), whole)
    assert_same_table(b.merge(a), whole)


def test_merge_should_carry_keys_present_on_one_side_only():
    first, second = halves()
    merged = summary(first, by="actor").merge(summary(second, by="actor"))
    rows = {r["actor"]: r for r in merged.rows()}
    # Russia: aleppo-1 only; Syria: idlib-2 only
    assert rows["Russia"]["incidents"] == 1
    assert rows["Syria"]["incidents"] == 1
    assert rows["Syria"]["best"] == 30


def test_merge_should_leave_both_tables_unchanged():
    first, second = halves()
    a, b = summary(first, by="actor"), summary(second, by="actor")
    before = (a.to_csv(), b.to_csv())
    a.merge(b)
    assert (a.to_csv(), b.to_csv()) == before


def test_merge_should_refuse_interval_columns_naming_the_column():
    first, second = halves()
    a = summary(first, by="actor", interval="independent")
    b = summary(second, by="actor", interval="independent")
    with pytest.raises(toll.OptionError) as e:
        a.merge(b)
    assert e.value.field == "q025"
    assert "'q025'" in str(e.value)


def test_merge_should_refuse_summaries_by_different_keys():
    first, second = halves()
    with pytest.raises(toll.OptionError) as e:
        summary(first, by="actor").merge(summary(second, by="region"))
    assert e.value.field == "by"


def test_merge_should_refuse_summaries_with_different_options():
    first, second = halves()
    with pytest.raises(toll.OptionError) as e:
        summary(first, by="actor").merge(
            summary(second, by="actor", attribution="split"))
    assert e.value.field == "caption"
    assert "attribution split" in str(e.value)


def test_merge_should_refuse_tables_that_are_not_summaries():
    incidents = toll.Reports.from_records(RECORDS).reconcile()
    with pytest.raises(toll.OptionError) as e:
        incidents.summarize(by="actor").merge(incidents.table())
    assert e.value.field == "table"
    with pytest.raises(TypeError):
        incidents.summarize(by="actor").merge("not a table")


def test_merge_with_a_summary_of_no_incidents_should_give_the_other():
    whole = summary(RECORDS, by="actor,period:month")
    nothing = summary([], by="actor,period:month")
    assert nothing.nrows == 0
    assert_same_table(nothing.merge(whole), whole)
    assert nothing.merge(nothing).nrows == 0


# ---- the Dask recipe (docs/scaling.md) -----------------------------------

def summarize_partition(df, by, preset):
    """One partition's reports -> its summary, as a one-element Series
    (map_partitions needs a pandas object)."""
    import pandas as pd
    table = toll.Reports.from_pandas(df, preset=preset).reconcile() \
        .summarize(by=by)
    return pd.Series([table], dtype=object)


def dask_summary(path, key, by, preset, npartitions=4):
    """Reports partitioned by incident key into `npartitions` parts with
    dask.dataframe, summarised per partition, merged."""
    dd = pytest.importorskip("dask.dataframe")
    import dask
    import pandas as pd
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    ddf = dd.from_pandas(df, npartitions=npartitions)
    # every report of an incident in one partition
    ddf = ddf.shuffle(on=key, npartitions=npartitions)
    parts = ddf.map_partitions(summarize_partition, by, preset,
                               meta=("table", object))
    with dask.config.set(scheduler="threads"):
        tables = list(parts.compute())
    assert len(tables) == npartitions
    assert all(t.nrows > 0 for t in tables)
    return functools.reduce(toll.Table.merge, tables), df


def single_summary(df, by, preset):
    return toll.Reports.from_pandas(df, preset=preset).reconcile() \
        .summarize(by=by)


@pytest.mark.parametrize("by", ["actor,period:year", "region:1",
                                "type_of_violence,period:month"])
def test_dask_partitions_should_merge_to_the_single_process_table(by):
    merged, df = dask_summary(GED_SAMPLE, "id", by, "ucdp-ged")
    assert_same_table(merged, single_summary(df, by, "ucdp-ged"))


@pytest.mark.parametrize("name", ["ucdp_ged_syria_2016_2019.csv",
                                  "ucdp_ged_myanmar.csv"])
def test_dask_partitions_of_ucdp_ged_should_merge_to_the_single_process_table(
        name):
    path = shared_data("ucdp", name)
    by = "actor,region:1,period:month"
    merged, df = dask_summary(path, "id", by, "ucdp-ged")
    whole = single_summary(df, by, "ucdp-ged")
    assert whole.nrows > 100
    assert_same_table(merged, whole)
