"""Kept fields are stored as text and interned only when read
(src/store/store.h): every kept field of every report of the real files
reads back exactly as the source text, and summaries by kept fields and
--where filters on them count what the source says.

The real files are read from $TOLL_SHARED_DATA (skipped without it); the
files without a preset (UCDP battle deaths, VDC, the MSE lists) are not
report files and are left out."""
import collections
import csv
import io

import pytest

from conftest import shared_data, toll

# file, preset, load options, source encoding
REAL = [
    ("ucdp/ucdp_ged_myanmar.csv", "ucdp-ged", {}, "utf-8"),
    ("ucdp/ucdp_ged_mexico.csv", "ucdp-ged", {}, "utf-8"),
    ("ucdp/ucdp_ged_syria_2016_2019.csv", "ucdp-ged", {}, "utf-8"),
    ("airwars/airwars_syria_incidents_normalized_996.csv", "airwars",
     {"lenient": True}, "utf-8"),
    ("ibc/ibc_esoc_incidents_2003_2009.csv", "ibc", {"lenient": True},
     "latin-1"),
]


def source_records(path, encoding):
    """{first line of the record: {column: text}} by Python's csv module."""
    with open(path, "rb") as f:
        data = f.read()
    text = data.decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    out = {}
    line = reader.line_num + 1
    for rec in reader:
        out[line] = dict(zip(header, rec))
        line = reader.line_num + 1
    return header, out


def kept_columns(table, reports):
    """(index, field name) of the table's kept-field columns: after the
    fixed and category ones (a kept field named as a fixed column, such as
    UCDP's region, is the column keep:region)."""
    names = table.columns
    first = names.index("precision_km") + 1 + 3 * len(reports.categories)
    return [(j, k[5:] if k.startswith("keep:") else k)
            for j, k in list(enumerate(names))[first:]]


@pytest.mark.parametrize("rel,preset,opts,encoding", REAL,
                         ids=[r[0].split("/")[1] for r in REAL])
def test_every_kept_field_should_read_back_as_the_source_text(
        rel, preset, opts, encoding):
    path = shared_data(*rel.split("/"))
    reports = toll.read(path, preset=preset, **opts)
    header, recs = source_records(path, encoding)
    table = reports.table()
    kept = [(j, k) for j, k in kept_columns(table, reports) if k in header]
    assert kept, "no kept field is a column of the file"
    lines = [int(loc.rsplit(":", 1)[1]) for loc in table.column("report")]
    checked = 0
    for j, k in kept:
        for line, got in zip(lines, table.column(j)):
            want = recs[line][k]
            assert (got or "") == want, (rel, line, k)
            checked += 1
    assert checked >= len(reports) * len(kept)


@pytest.mark.parametrize("rel", [r[0] for r in REAL if r[1] == "ucdp-ged"],
                         ids=lambda r: r.split("/")[1])
def test_summaries_by_a_kept_field_should_count_the_source_values(rel):
    path = shared_data(*rel.split("/"))
    header, recs = source_records(path, "utf-8")
    want = collections.Counter(r["type_of_violence"] for r in recs.values())
    inc = toll.read(path, preset="ucdp-ged").reconcile()
    got = {r["type_of_violence"]: r["incidents"]
           for r in inc.summarize(by="type_of_violence").rows()}
    assert got == dict(want)
    for value, n in want.items():
        t = inc.summarize(where={"type_of_violence": value})
        assert t.rows()[0]["incidents"] == n


@pytest.mark.parametrize("rel", [r[0] for r in REAL if r[1] == "ucdp-ged"],
                         ids=lambda r: r.split("/")[1])
def test_a_kept_field_named_as_a_report_field_should_be_reachable_as_keep(
        rel):
    # GED's own `region` column (Asia, Middle East, ...) is kept beside
    # toll's region (country/adm_1/adm_2): a column of its own in the
    # reports' frame, a key and a filter as keep:region
    path = shared_data(*rel.split("/"))
    header, recs = source_records(path, "utf-8")
    want = collections.Counter(r["region"] for r in recs.values())
    reports = toll.read(path, preset="ucdp-ged")
    df = reports.to_pandas()
    assert df.columns.is_unique
    assert collections.Counter(df["keep:region"]) == want
    inc = reports.reconcile()
    got = {r["keep:region"]: r["incidents"]
           for r in inc.summarize(by="keep:region").rows()}
    assert got == dict(want)
    for value, n in want.items():
        t = inc.summarize(where={"keep:region": value})
        assert t.rows()[0]["incidents"] == n
    # toll's region stays the key `region`
    assert inc.summarize(by="region:0").columns[0] == "region"
