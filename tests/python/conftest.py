"""Shared fixtures for the toll Python tests.

toll is imported from an in-place build (python/toll/_core*.so, made by
`python setup.py build_ext --inplace`) when there is one, else from the
installed package (`pip install .`).
"""
import csv
import glob
import io
import json
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
PYDIR = os.path.join(ROOT, "python")
# TOLL_TEST_INSTALLED=1 tests the installed package even when an in-place
# build exists.
if not os.environ.get("TOLL_TEST_INSTALLED") and (
        glob.glob(os.path.join(PYDIR, "toll", "_core*.so"))
        or glob.glob(os.path.join(PYDIR, "toll", "_core*.pyd"))):
    sys.path.insert(0, PYDIR)

import toll  # noqa: E402

# The real datasets (UCDP, Airwars, IBC, the Sudan MSE lists) are not in
# the repository: tests that read them take the directory from the
# environment variable TOLL_SHARED_DATA and skip without it.
SHARED_DATA = os.environ.get("TOLL_SHARED_DATA") or None
SHARED_DATA_SKIP = ("skipped: set TOLL_SHARED_DATA to the shared datasets "
                    "directory")

# The Aleppo strike of the domain notes, an Idlib incident over three days,
# and an unkeyed Homs report with a contested (joint) attribution.
RECORDS = [
    {"incident": "aleppo-1", "source": "SNHR", "source_kind": "monitor",
     "date": "2016-09-25", "region": "Syria/Aleppo", "actor": ["Russia"],
     "killed": 92},
    {"incident": "aleppo-1", "source": "Headline", "source_kind": "media",
     "date": "2016-09-25", "region": "Syria/Aleppo", "actor": ["Russia"],
     "killed": 85},
    {"incident": "aleppo-1", "source": "White Helmets",
     "source_kind": "rescue", "date": "2016-09-25", "region": "Syria/Aleppo",
     "actor": ["Russia"], "killed": "at least 150", "injured": "dozens"},
    {"incident": "aleppo-1", "source": "MoD", "source_kind": "party",
     "source_actor": "Russia", "date": "2016-09-25", "actor": ["Russia"],
     "killed": 0},
    {"incident": "idlib-2", "source": "SOHR", "source_kind": "monitor",
     "date_start": "2016-10-03", "date_end": "2016-10-05",
     "region": "Syria/Idlib", "actor": ["Syria"], "killed": "about 30",
     "children_killed": "four"},
    {"incident": "homs-3", "source": "AFP", "source_kind": "media",
     "date": "2016-11-02", "region": "Syria/Homs",
     "actor": ["Russia", "Syria"], "killed": "12-15",
     "note": "<b>bold</b> & \"quoted\""},
]

SUMMARY_CSV_COLUMNS = ["incidents", "reports", "low", "best", "high", "open",
                       "denied", "contested"]


def records_jsonl(records=RECORDS):
    return "".join(json.dumps(r) + "\n" for r in records)


def records_csv(records=RECORDS):
    """The records as CSV (actor lists joined with ';')."""
    keys = []
    for r in records:
        for k in r:
            if k not in keys:
                keys.append(k)
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=keys, lineterminator="\n")
    w.writeheader()
    for r in records:
        w.writerow({k: ";".join(v) if isinstance(v, list) else v
                    for k, v in r.items()})
    return out.getvalue()


@pytest.fixture
def records():
    return [dict(r) for r in RECORDS]


@pytest.fixture
def jsonl_path(tmp_path):
    p = tmp_path / "reports.jsonl"
    p.write_text(records_jsonl(), encoding="utf-8")
    return p


@pytest.fixture
def json_path(tmp_path):
    p = tmp_path / "reports.json"
    p.write_text(json.dumps(RECORDS), encoding="utf-8")
    return p


@pytest.fixture
def csv_path(tmp_path):
    p = tmp_path / "reports.csv"
    p.write_text(records_csv(), encoding="utf-8")
    return p


@pytest.fixture
def reports(jsonl_path):
    return toll.read(jsonl_path)


@pytest.fixture
def incidents(reports):
    return reports.reconcile()


@pytest.fixture
def summary(incidents):
    return incidents.summarize(by=["actor", "period:month"])


def rows_by(table, key):
    """{key value: row dict} of a table."""
    return {row[key]: row for row in table.rows()}


def shared_data(*parts):
    """Path of a file in $TOLL_SHARED_DATA; skips the test when the variable
    is unset or the file is absent, saying which."""
    if not SHARED_DATA:
        pytest.skip(SHARED_DATA_SKIP)
    p = os.path.join(SHARED_DATA, *parts)
    if not os.path.exists(p):
        pytest.skip(f"skipped: {p} is absent from TOLL_SHARED_DATA")
    return p
