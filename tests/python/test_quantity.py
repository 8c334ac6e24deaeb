"""toll.parse_quantity / parse_quantities / format_quantity / Lexicon."""
import pytest

import toll
from toll import Quantity


def test_parse_quantity_should_read_at_least_as_open_range():
    assert toll.parse_quantity("at least 150") == Quantity(
        low=150, high=None, best=150.0, rule="at least")


def test_parse_quantity_should_return_a_named_tuple():
    q = toll.parse_quantity("85-92")
    assert isinstance(q, tuple) and isinstance(q, Quantity)
    assert q._fields == ("low", "high", "best", "rule")
    assert (q.low, q.high) == (85, 92)
    assert q.best == pytest.approx(88.5)
    assert q.rule == "range"
    assert not q.open


def test_parse_quantity_should_read_exact_numbers():
    assert toll.parse_quantity("92") == Quantity(92, 92, 92.0, "exact")


def test_parse_quantity_should_accept_ints_and_integral_floats():
    assert toll.parse_quantity(92) == Quantity(92, 92, 92.0, "exact")
    assert toll.parse_quantity(92.0) == Quantity(92, 92, 92.0, "exact")


def test_parse_quantity_should_accept_unicode_dashes():
    assert toll.parse_quantity("85\u201392")[:2] == (85, 92)


def test_parse_quantity_should_ignore_trailing_words():
    q = toll.parse_quantity("at least 150 civilians")
    assert (q.low, q.high, q.rule) == (150, None, "at least")
    assert q.open


@pytest.mark.parametrize("text", ["unknown", "", "unclear", None,
                                  float("nan")])
def test_parse_quantity_should_return_none_for_unknown(text):
    assert toll.parse_quantity(text) is None


def test_parse_quantity_should_widen_about_by_the_tolerance():
    assert toll.parse_quantity("about 350")[:3] == (315, 385, 350.0)
    assert toll.parse_quantity("about 350", about_tolerance=0.2)[:3] == (
        280, 420, 350.0)


def test_parse_quantity_should_use_the_default_lexicon():
    q = toll.parse_quantity("dozens")
    assert (q.low, q.high, q.best) == (24, 99, 36.0)
    assert q.rule.startswith("lexicon")


def test_parse_quantity_should_use_a_preset_lexicon_by_name():
    default = toll.parse_quantity("dozens")
    acled = toll.parse_quantity("dozens", lexicon="acled")
    assert acled is not None and acled != default


def test_parse_quantity_should_use_a_lexicon_object():
    lex = toll.Lexicon("empty")
    assert len(lex) == 0
    with pytest.raises(toll.ParseError):
        toll.parse_quantity("dozens", lexicon=lex)
    lex.set("dozens", 20, 80, 30)
    q = toll.parse_quantity("dozens of people", lexicon=lex)
    assert (q.low, q.high, q.best) == (20, 80, 30.0)


def test_lexicon_should_load_json_and_list_entries():
    lex = toll.Lexicon("empty")
    lex.load_json('{"scores": {"low": 40, "high": null, "best": 60}}')
    assert lex.entries() == [("scores", 40, None, 60.0)]
    q = toll.parse_quantity("scores", lexicon=lex)
    assert (q.low, q.high, q.best) == (40, None, 60.0)


def test_lexicon_should_load_a_file(tmp_path):
    p = tmp_path / "lex.json"
    p.write_text('{"oodles": {"low": 50, "high": 500}}')
    lex = toll.load_lexicon(p)
    assert any(word == "oodles" for word, *_ in lex.entries())
    assert toll.parse_quantity("oodles", lexicon=str(p))[:2] == (50, 500)


def test_lexicon_bad_json_should_raise_parse_error_and_leave_it_unchanged():
    lex = toll.Lexicon("default")
    n = len(lex)
    with pytest.raises(toll.ParseError):
        lex.load_json('{"scores": ', name="mylex.json")
    assert len(lex) == n


def test_lexicon_unknown_preset_should_raise_option_error():
    with pytest.raises(toll.OptionError, match="nope"):
        toll.Lexicon("nope")
    with pytest.raises(toll.OptionError, match="nope"):
        toll.parse_quantity("dozens", lexicon="nope")


def test_parse_quantity_should_raise_parse_error_naming_the_text():
    with pytest.raises(toll.ParseError) as ei:
        toll.parse_quantity("at leest 5")
    e = ei.value
    assert 'cannot read "at leest 5" as a quantity' in str(e)
    assert e.text == "at leest 5"
    assert e.code == "TOLL_EPARSE"
    assert e.message == str(e)
    assert isinstance(e, ValueError)


def test_parse_quantity_should_reject_a_bad_tolerance():
    with pytest.raises(toll.OptionError, match="about_tolerance"):
        toll.parse_quantity("about 5", about_tolerance=1.5)


def test_parse_quantity_should_reject_other_types():
    with pytest.raises(TypeError):
        toll.parse_quantity(object())
    with pytest.raises(TypeError):
        toll.parse_quantity("5", lexicon=42)


def test_parse_quantities_should_parse_a_list():
    got = toll.parse_quantities(["5", None, 7, "unknown", "at least 3"])
    assert got == [Quantity(5, 5, 5.0, "exact"), None,
                   Quantity(7, 7, 7.0, "exact"), None,
                   Quantity(3, None, 3.0, "at least")]


def test_parse_quantities_should_name_the_bad_record():
    with pytest.raises(toll.ParseError) as ei:
        toll.parse_quantities(["5", "6", "x y z"])
    assert ei.value.record == 2
    assert "record 2" in str(ei.value)
    assert '"x y z"' in str(ei.value)


def test_parse_quantities_should_coerce_bad_text_to_none():
    assert toll.parse_quantities(["5", "x y z"], errors="coerce") == [
        Quantity(5, 5, 5.0, "exact"), None]


def test_parse_quantities_should_reject_an_unknown_errors_mode():
    with pytest.raises(toll.OptionError, match="errors"):
        toll.parse_quantities(["5"], errors="ignore")


def test_parse_quantities_should_match_parse_quantity():
    texts = ["12", "about 40", "dozens", "3-7", "more than 10", "up to 9"]
    assert toll.parse_quantities(texts) == [toll.parse_quantity(t)
                                            for t in texts]


def test_format_quantity_should_render_ranges():
    assert toll.format_quantity(92, 92) == "92"
    assert toll.format_quantity(85, 92) == "85\u201392"
    assert toll.format_quantity(150, None) == "150+"
    assert toll.format_quantity(None) == "unknown"
    assert toll.format_quantity(1098, 1450, thousands=True) == \
        "1,098\u20131,450"
    assert toll.parse_quantity("at least 150").format() == "150+"


def test_format_quantity_should_validate_bounds():
    with pytest.raises(toll.ReportError, match="9"):
        toll.format_quantity(9, 5)


# ---- forms and rules of the hardening round (one home: src/core) ------------

@pytest.mark.parametrize("text,low,high", [
    ("no more than 50 civilians", 0, 50), ("not more than 50", 0, 50),
    ("no greater than 5", 0, 5), ("no higher than 5", 0, 5),
    ("none to 5", 0, 5), ("fewer than 50", 0, 49), ("less than 50", 0, 49),
    ("~50", 45, 55), ("2 trillion", 2 * 10**12, 2 * 10**12),
    ("3 lakh", 300000, 300000), ("2 mln", 2000000, 2000000),
    ("2 bn", 2 * 10**9, 2 * 10**9), ("5k", 5000, 5000),
    ("dozens to hundreds", 24, 999)])
def test_parse_quantity_should_read_the_new_forms(text, low, high):
    q = toll.parse_quantity(text)
    assert (q.low, q.high) == (low, high)


@pytest.mark.parametrize("text", ["NA", "N/A", "n/a", "-"])
def test_parse_quantity_should_read_na_forms_as_none(text):
    assert toll.parse_quantity(text) is None


@pytest.mark.parametrize("text,token", [
    ("no 5", "5"), ("12, 000", "000"), ("2 zillion", "zillion"),
    ("one point five million", "point"), ("5 million million", "million")])
def test_parse_quantity_should_raise_on_number_like_trailing_words(text,
                                                                   token):
    with pytest.raises(toll.ParseError) as exc:
        toll.parse_quantity(text)
    assert f'"{token}" after the quantity' in str(exc.value)
    assert exc.value.text == text


CAP = 2 ** 53


def test_parse_quantity_should_cap_counts_at_two_to_the_53():
    assert toll.parse_quantity(str(CAP)).low == CAP
    assert toll.parse_quantity(CAP).low == CAP
    for bad in (str(CAP + 1), CAP + 1, "at least 5000000000000000000"):
        with pytest.raises(toll.ParseError, match=r"9007199254740992 \(2\^53\)"):
            toll.parse_quantity(bad)


def _killed(value):
    r = toll.Reports.from_records([{"source": "A", "killed": 1},
                                   {"source": "B", "killed": value}])
    return r


@pytest.mark.parametrize("value", [CAP + 1, 2 ** 63, 10 ** 30, 1e16,
                                   float(CAP + 2), 1e300])
def test_records_should_refuse_counts_above_the_cap(value):
    with pytest.raises(toll.ReportError) as exc:
        _killed(value)
    e = exc.value
    assert e.record == 1 and e.field == "killed"
    assert "largest count accepted, 9007199254740992 (2^53)" in str(e)


@pytest.mark.parametrize("value", [CAP, float(CAP)])
def test_records_should_accept_the_cap_itself(value):
    assert len(_killed(value)) == 2


@pytest.mark.parametrize("value", [float("inf"), float("-inf")])
def test_records_should_refuse_an_infinite_count_naming_row_and_field(value):
    with pytest.raises(toll.ParseError) as exc:
        _killed(value)
    e = exc.value
    assert e.record == 1 and e.field == "killed"
    assert "<records>:2: field 'killed': not a number" in str(e)
    assert e.text in ("inf", "-inf")


@pytest.mark.parametrize("value", [{"low": 1, "high": float("inf")},
                                   {"best": float("-inf")},
                                   ["Russia", float("inf")]])
def test_records_should_refuse_an_infinity_inside_a_value_naming_it(value):
    # nested values are passed to C as JSON text: an infinity is not JSON,
    # so C refuses it (it must never become an open high or unknown)
    with pytest.raises(toll.ParseError) as exc:
        _killed(value)
    e = exc.value
    assert e.record == 1 and e.field == "killed"
    assert "invalid JSON in a value" in str(e)
    assert "Infinity" in e.text


@pytest.mark.parametrize("value", [float("nan"), None])
def test_records_should_read_nan_and_none_as_unknown(value):
    assert len(_killed(value)) == 2


def test_pandas_should_refuse_an_infinite_count_naming_row_and_field():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"source": ["A", "B"], "killed": [1.0, float("inf")]})
    with pytest.raises(toll.ParseError) as exc:
        toll.Reports.from_pandas(df)
    assert exc.value.record == 1 and exc.value.field == "killed"
    assert exc.value.text == "inf"


def test_pandas_should_refuse_counts_above_the_cap():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"source": ["A", "B"], "killed": [1, CAP + 1]})
    with pytest.raises(toll.ReportError, match=r"\(2\^53\)"):
        toll.Reports.from_pandas(df)


def test_mapped_range_columns_should_read_na_forms_as_empty():
    r = toll.Reports.from_records(
        [{"source": "A", "kmin": "NA", "kmax": "7"},
         {"source": "B", "kmin": "n/a", "kmax": 9}],
        map="killed=kmin..kmax")
    assert len(r) == 2


@pytest.mark.parametrize("word", ["5", "twenty", "none", "unknown"])
def test_lexicon_should_refuse_a_word_the_parser_reads(word):
    lex = toll.Lexicon("default")
    n = len(lex)
    with pytest.raises(toll.ParseError) as exc:
        lex.load_json('{\n"%s": 3\n}' % word, name="mylex.json")
    assert exc.value.file == "mylex.json" and exc.value.line == 2
    assert f'"{word}"' in str(exc.value)
    assert len(lex) == n


def test_lexicon_should_refuse_a_word_given_twice():
    lex = toll.Lexicon("default")
    with pytest.raises(toll.ParseError, match="given twice"):
        lex.load_json('{"lots": 3,\n"lots": 4}', name="mylex.json")


def test_lexicon_scale_words_should_extend_the_abbreviations():
    lex = toll.Lexicon("default")
    lex.load_json('{"scales": {"mn": 1000000}}', name="mylex.json")
    assert toll.parse_quantity("2 mn", lexicon=lex)[:2] == (2000000, 2000000)
    with pytest.raises(toll.ParseError, match='"mn" after the quantity'):
        toll.parse_quantity("2 mn")
