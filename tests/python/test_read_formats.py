"""toll.read beyond paths of CSV and JSON: file-like objects, Parquet and
Feather through pyarrow, Excel through pandas and openpyxl; each gives the
store the CSV file gives."""
import gzip
import io
import os

import pytest

from conftest import ROOT, toll

ACLED = os.path.join(ROOT, "tests", "data", "acled_sample.csv")


def rows(reports):
    cols = reports.table().to_dict()
    return {k: v for k, v in cols.items() if k != "report"}


@pytest.fixture
def want():
    return rows(toll.read(ACLED, preset="acled"))


def test_a_text_file_object_should_read_as_the_file(want):
    with open(ACLED, encoding="utf-8") as f:
        got = toll.read(f, preset="acled")
    assert rows(got) == want
    assert got.table().to_dict()["report"][0] == ACLED + ":2"


def test_a_binary_file_object_should_read_as_the_file(want):
    with open(ACLED, "rb") as f:
        assert rows(toll.read(f, preset="acled")) == want


def test_a_bytesio_of_gzip_data_should_read_and_be_named_stream(want):
    buf = io.BytesIO(gzip.compress(open(ACLED, "rb").read()))
    got = toll.read(buf, preset="acled")
    assert rows(got) == want
    assert got.table().to_dict()["report"][0] == "<stream>:2"


def test_a_stringio_with_a_bad_record_should_name_its_line():
    buf = io.StringIO("source,killed\na,5\nb,at leest 5\n")
    with pytest.raises(toll.ParseError) as ei:
        toll.read(buf)
    assert "<stream>:3" in str(ei.value)


def test_a_file_object_whose_read_gives_no_bytes_should_be_a_type_error():
    class Odd:
        def read(self):
            return 42
    with pytest.raises(TypeError, match="returned a int"):
        toll.read(Odd())


def _frame():
    pd = pytest.importorskip("pandas")
    return pd.read_csv(ACLED)


def test_a_parquet_file_should_read_through_pyarrow(tmp_path, want):
    pq = pytest.importorskip("pyarrow.parquet")
    pa = pytest.importorskip("pyarrow")
    path = tmp_path / "acled.parquet"
    pq.write_table(pa.Table.from_pandas(_frame(), preserve_index=False),
                   path)
    got = toll.read(path, preset="acled")
    assert rows(got) == want
    # rows are counted from 1 (a Parquet file has no header line)
    assert got.table().to_dict()["report"][0] == str(path) + ":1"
    with open(path, "rb") as f:   # Parquet bytes from a file object
        assert rows(toll.read(f, preset="acled")) == want


def test_a_feather_file_should_read_through_pyarrow(tmp_path, want):
    feather = pytest.importorskip("pyarrow.feather")
    pa = pytest.importorskip("pyarrow")
    path = tmp_path / "acled.feather"
    feather.write_feather(pa.Table.from_pandas(_frame(),
                                               preserve_index=False), path)
    assert rows(toll.read(path, preset="acled")) == want


def test_an_excel_sheet_should_read_through_pandas(tmp_path, want):
    pytest.importorskip("openpyxl")
    path = tmp_path / "acled.xlsx"
    _frame().to_excel(path, index=False)
    got = toll.read(path, preset="acled")
    assert rows(got) == want
    assert got.table().to_dict()["report"][0] == str(path) + ":1"


def test_an_excel_sheet_with_a_bad_row_should_name_the_file_and_row(
        tmp_path):
    pytest.importorskip("openpyxl")
    pd = pytest.importorskip("pandas")
    path = tmp_path / "bad.xlsx"
    pd.DataFrame({"source": ["a", "b"], "killed": ["5", "at leest 5"]}) \
        .to_excel(path, index=False)
    with pytest.raises(toll.ParseError) as ei:
        toll.read(path)
    assert f"{path}:2" in str(ei.value)   # the second data row
    assert ei.value.field == "killed"


def test_a_missing_parquet_file_should_raise_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        toll.read(tmp_path / "none.parquet")
