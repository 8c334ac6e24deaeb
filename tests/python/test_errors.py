"""Every error path of the C layer reaches Python as the right exception,
with a message naming file, line or record, field and text."""
import errno
import os
import pickle

import pytest

import toll
from conftest import RECORDS, records_jsonl


def test_exception_hierarchy():
    assert issubclass(toll.TollError, Exception)
    for cls in (toll.ParseError, toll.ReportError, toll.OptionError):
        assert issubclass(cls, toll.TollError)
        assert issubclass(cls, ValueError)
    assert toll.ParseError.__module__ == "toll"
    assert toll.TollError is toll._core.TollError


def test_bad_quantity_in_a_file_should_name_file_line_field_and_text(
        tmp_path):
    p = tmp_path / "reports.jsonl"
    p.write_text(records_jsonl() +
                 '{"source": "X", "killed": "at leest 5"}\n')
    with pytest.raises(toll.ParseError) as ei:
        toll.read(p)
    e = ei.value
    assert str(e) == (f"{p}:{len(RECORDS) + 1}: field 'killed': "
                      "cannot read \"at leest 5\" as a quantity")
    assert e.message == str(e)
    assert (e.code, e.file, e.line, e.field, e.text) == (
        "TOLL_EPARSE", str(p), len(RECORDS) + 1, "killed", "at leest 5")
    assert e.record == len(RECORDS)


def test_bad_quantity_in_csv_should_name_the_line(tmp_path):
    p = tmp_path / "reports.csv"
    p.write_text("source,killed\nA,5\nB,at leest 5\n")
    with pytest.raises(toll.ParseError) as ei:
        toll.read(p)
    assert str(ei.value).startswith(f"{p}:3: field 'killed'")
    assert ei.value.line == 3


def test_bad_quantity_in_records_should_name_the_record(records):
    records[2] = dict(records[2], injured="a great many")
    with pytest.raises(toll.ParseError) as ei:
        toll.Reports.from_records(records)
    e = ei.value
    assert e.file == "<records>"
    assert e.record == 2 and e.line == 3
    assert e.field == "injured" and e.text == "a great many"
    assert "<records>:3: field 'injured'" in str(e)
    assert '"a great many"' in str(e)


def test_missing_source_should_raise_report_error():
    with pytest.raises(toll.ReportError) as ei:
        toll.Reports.from_records([{"source": "A", "killed": 1},
                                   {"killed": 2}])
    assert ei.value.code == "TOLL_EREPORT"
    assert ei.value.field == "source"
    assert "missing required field 'source'" in str(ei.value)
    assert ei.value.record == 1


def test_low_above_high_should_raise_report_error():
    with pytest.raises(toll.ReportError, match="low 9 is greater than high 5"):
        toll.Reports.from_records(
            [{"source": "A", "killed": {"low": 9, "high": 5}}])


def test_impossible_date_should_raise_parse_error():
    with pytest.raises(toll.ParseError) as ei:
        toll.Reports.from_records([{"source": "A", "date": "2015-02-30"}])
    assert ei.value.field == "date"
    assert ei.value.text == "2015-02-30"


def test_unknown_source_kind_should_raise_report_error():
    with pytest.raises(toll.ReportError, match="blog"):
        toll.Reports.from_records([{"source": "A", "source_kind": "blog"}])


def test_malformed_json_should_raise_parse_error_naming_the_line():
    r = toll.Reports()
    with pytest.raises(toll.ParseError) as ei:
        r.load_text('{"source": "A", "killed": 1}\n{"source": \n',
                    name="mem.jsonl")
    assert ei.value.file == "mem.jsonl"
    assert ei.value.line == 2
    assert "mem.jsonl:2" in str(ei.value)
    assert len(r) == 0


def test_strict_failure_should_leave_earlier_data_intact(jsonl_path):
    r = toll.read(jsonl_path)
    cats = r.categories
    with pytest.raises(toll.ParseError):
        r.load_text('{"source": "new", "deaths_killed": 4}\n'
                    '{"source": "bad", "killed": "at leest 5"}\n')
    assert len(r) == len(RECORDS)
    assert r.categories == cats
    with pytest.raises(toll.ReportError):
        r.load_records([{"source": "fine", "killed": 1}, {"killed": 1}])
    assert len(r) == len(RECORDS)
    assert r.load_records([{"source": "fine", "killed": 1}]) == 1
    assert len(r) == len(RECORDS) + 1


def test_lenient_mode_should_list_rejects_and_keep_the_rest(tmp_path):
    p = tmp_path / "mixed.jsonl"
    p.write_text('{"source": "A", "killed": 1}\n'
                 '{"source": "B", "killed": "at leest 5"}\n'
                 '{"killed": 2}\n'
                 '{"source": "D", "killed": "3"}\n')
    r = toll.read(p, lenient=True)
    assert len(r) == 2
    rej = r.rejects
    assert [(x["line"], x["field"], x["code"]) for x in rej] == [
        (2, "killed", "TOLL_EPARSE"), (3, "source", "TOLL_EREPORT")]
    assert rej[0]["message"].startswith(f"{p}:2: field 'killed'")
    assert rej[0]["file"] == str(p)


def test_missing_file_should_raise_file_not_found(tmp_path):
    p = tmp_path / "nope.jsonl"
    with pytest.raises(FileNotFoundError) as ei:
        toll.read(p)
    e = ei.value
    assert isinstance(e, OSError)
    assert e.errno == errno.ENOENT
    assert e.filename == str(p)
    assert str(p) in str(e)
    assert e.code == "TOLL_ENOTFOUND"


def test_unreadable_path_should_raise_os_error(tmp_path):
    with pytest.raises(OSError) as ei:
        toll.read(tmp_path, format="jsonl")  # a directory
    assert ei.value.filename == str(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
def test_permission_denied_should_raise_permission_error(tmp_path):
    p = tmp_path / "secret.jsonl"
    p.write_text('{"source": "A"}\n')
    p.chmod(0)
    with pytest.raises(PermissionError):
        toll.read(p)


def test_missing_map_file_and_lexicon_file_should_raise_os_error(
        jsonl_path, tmp_path):
    with pytest.raises(FileNotFoundError):
        toll.read(jsonl_path, map_file=tmp_path / "map.json")
    with pytest.raises(FileNotFoundError):
        toll.read(jsonl_path, lexicon=str(tmp_path / "lex.json"))


@pytest.mark.parametrize("option,value", [
    ("format", "xml"), ("delimiter", ";;"), ("actor_sep", ""),
    ("region_sep", "\u00e9"), ("map", "killed=a..b..c..d"),
    ("about_tolerance", 1.5), ("lexicon", "klingon"),
])
def test_bad_load_option_should_raise_option_error_naming_it(
        jsonl_path, option, value):
    with pytest.raises(toll.OptionError) as ei:
        toll.read(jsonl_path, **{option: value})
    msg = str(ei.value)
    assert (option in msg or option == "lexicon" and "lexicon" in msg)
    assert str(value) in msg or value == ""


def test_bad_map_dict_should_raise_option_error(jsonl_path):
    with pytest.raises(toll.OptionError, match="killed"):
        toll.read(jsonl_path, map={"killed": 5})
    with pytest.raises(TypeError):
        toll.read(jsonl_path, map=42)


def test_core_load_options_should_be_keyword_only(jsonl_path):
    r = toll._core.Reports()
    with pytest.raises(TypeError):
        r.load_file(str(jsonl_path), "jsonl")
    with pytest.raises(TypeError):
        r.load_file(str(jsonl_path), colour="red")


def test_exceptions_should_carry_none_for_missing_details():
    with pytest.raises(toll.ParseError) as ei:
        toll.parse_quantity("at leest 5")
    e = ei.value
    assert e.file is None and e.line is None and e.record is None
    assert e.field is None


def test_exceptions_should_pickle_by_class():
    e = toll.ParseError("x")
    assert type(pickle.loads(pickle.dumps(e))) is toll.ParseError


def test_status_name_should_name_codes():
    assert toll._core.status_name(4) == "TOLL_EPARSE"


def test_unknown_extension_should_need_a_format(tmp_path):
    p = tmp_path / "reports.md"
    p.write_text("source,killed\nA,5\n")
    with pytest.raises(toll.OptionError) as info:
        toll.read(p)
    assert "unknown file extension '.md'" in str(info.value)
    assert ".json, .jsonl, .ndjson or .csv" in str(info.value)
    assert info.value.file == str(p)
    assert len(toll.read(p, format="csv")) == 1


def test_a_directory_should_say_so(tmp_path):
    with pytest.raises(IsADirectoryError) as info:
        toll.read(tmp_path)
    assert "is a directory" in str(info.value)
    assert info.value.errno == errno.EISDIR


def test_a_repeated_map_target_should_be_an_option_error(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("src,lo,hi\nA,1,2\n")
    with pytest.raises(toll.OptionError) as info:
        toll.read(p, map="source=src,killed=lo,killed=hi")
    assert "given twice" in str(info.value)


def test_years_before_1_should_be_parse_errors(tmp_path):
    p = tmp_path / "r.jsonl"
    p.write_text('{"source": "a", "date": "0000-05-01"}\n')
    with pytest.raises(toll.ParseError) as info:
        toll.read(p, date_window=(1, 2100))
    assert "years start at 1" in str(info.value)
    assert info.value.field == "date"


def test_bad_date_window_values_should_be_option_errors(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("source,killed\nA,5\n")
    for bad in [(2000, 1900), (0, 2000), "1800:2100", (1800,), (1800, "x")]:
        with pytest.raises(toll.OptionError, match="date_window"):
            toll.read(p, date_window=bad)
