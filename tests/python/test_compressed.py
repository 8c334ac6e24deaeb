"""Compressed input from Python (src/io/compressed.c): .csv.gz and a .zip
holding one data file load as the plain file, from a path or from bytes;
what toll does not read is named in the error."""
import gzip
import os
import zipfile

import pytest

from conftest import ROOT, shared_data, toll

FIX = os.path.join(ROOT, "tests", "data")
PLAIN = os.path.join(FIX, "acled_sample.csv")
PACKED = os.path.join(FIX, "compressed")


def rows(reports):
    """The reports' rows without the column naming their file."""
    cols = reports.table().to_dict()
    return {k: v for k, v in cols.items() if k != "report"}


@pytest.mark.parametrize("name", ["acled.csv.gz", "acled_members.csv.gz",
                                  "acled.zip", "acled_stored.zip"])
def test_compressed_files_should_read_as_the_plain_file(name):
    plain = toll.read(PLAIN, preset="acled")
    packed = toll.read(os.path.join(PACKED, name), preset="acled")
    assert rows(packed) == rows(plain)


def test_a_zip_member_should_be_named_inside_the_archive():
    r = toll.read(os.path.join(PACKED, "acled.zip"), preset="acled")
    first = r.table().to_dict()["report"][0]
    assert first.endswith("acled.zip/export/acled_sample.csv:2")


def test_compressed_bytes_should_load_as_the_plain_file():
    plain = toll.read(PLAIN, preset="acled")
    for name in ("acled.csv.gz", "acled.zip"):
        data = open(os.path.join(PACKED, name), "rb").read()
        r = toll.Reports()
        r.load_text(data, name=name, preset="acled")
        assert rows(r) == rows(plain)


def test_an_excel_workbook_as_bytes_should_be_refused_by_name():
    # (a .xlsx file name is read through pandas: test_read_formats.py)
    data = open(os.path.join(PACKED, "book.xlsx"), "rb").read()
    with pytest.raises(toll.ParseError, match=r"an Excel workbook \(\.xlsx\)"):
        toll.Reports().load_text(data, name="book")


def test_a_zip_of_two_data_files_should_name_them():
    with pytest.raises(toll.ParseError,
                       match=r"holds 2 data files \(a\.csv, b\.jsonl\)"):
        toll.read(os.path.join(PACKED, "two.zip"))


def test_parquet_bytes_should_be_named_not_misread():
    # (a .parquet file name, or a file object, is read through pyarrow:
    # test_read_formats.py)
    with pytest.raises(toll.ParseError, match="this is a Parquet file"):
        toll.Reports().load_text(b"PAR1\x15\x04\x00\x00", name="x")


def test_the_shared_ged_files_should_read_alike_zipped_and_gzipped(tmp_path):
    path = shared_data("ucdp", "ucdp_ged_myanmar.csv")
    gz = tmp_path / "ged.csv.gz"
    gz.write_bytes(gzip.compress(open(path, "rb").read()))
    zp = tmp_path / "ged.zip"
    with zipfile.ZipFile(zp, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(path, "GEDEvent_v24_1.csv")
    want = toll.read(path, preset="ucdp-ged").reconcile().summarize(
        by=["actor", "period:year"]).to_dict()
    for p in (gz, zp):
        got = toll.read(p, preset="ucdp-ged").reconcile().summarize(
            by=["actor", "period:year"]).to_dict()
        assert got == want


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".zip"])
def test_compressed_json_lines_should_read_as_the_plain_file(tmp_path, suffix):
    path = os.path.join(ROOT, "data", "seeds.jsonl")
    raw = open(path, "rb").read()
    packed = tmp_path / ("seeds" + suffix)
    if suffix == ".zip":
        with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("seeds.jsonl", raw)
    else:
        packed.write_bytes(gzip.compress(raw))
    plain = toll.read(path)
    got = toll.read(str(packed))
    assert len(got) == len(plain) > 0
    assert rows(got) == rows(plain)
    assert (got.reconcile().summarize(by="actor,period:month").to_dict()
            == plain.reconcile().summarize(by="actor,period:month").to_dict())
