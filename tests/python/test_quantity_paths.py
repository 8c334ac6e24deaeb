"""Every reader of a quantity's text reads it as the parser does, seen
from Python: the same texts through ``toll.Reports.from_records`` (records
as dicts, read as JSON Lines), ``toll.read`` of a CSV file and
``toll.parse_quantity`` give the same range (low, best, high, open;
unknown) or the same error.  tests/test_quantity_paths.c feeds these texts
through the C loaders."""
import csv

import pytest

import toll

TEXTS = ['0', '1', '7', '92', '100', '1306', '007', '000', '0000000000000000001',
     '999999999999999999', '1000000000000000000', '9223372036854775807',
     '9223372036854775808', '99999999999999999999', '1,306', '12,345,678',
     '1,000,000', '1,45', '1450,000', '1,3060', '1,306.5', '1.306', "1'306",
     '1_306', '1 306', '1 000', '1\xa0000', '1\u202f000', ',306', '1,', '85-92',
     '85 - 92', '85 -92', '85- 92', '85\t-\t92', '0-0', '5-5', '00-01', '92-85',
     '1,000-2,000', '85–92', '85—92', '85−92', '85‐92', '85 to 92', '85 or 92',
     '85 To 92', '85to92', 'between 85 and 92', 'between 85-92',
     'between 85 to 92', 'Between 85 And 92', 'between 85', '2-3 thousand',
     '2 - 3 thousand', '1.5-2 million', '123456789012345678-123456789012345679',
     '1234567890123456789-1234567890123456790',
     '999999999999999999-1000000000000000000', '85-', '-92', '85--92',
     '85-92-100', '85-92 killed', '85-92abc', '85_92', '85..92', '85/92',
     '85 - 92 - 100', '85 -', '- 92', 'at least 40', 'At Least 40',
     'AT LEAST 40', 'at  least\t40', 'no fewer than 40', 'no less than 40',
     '40 or more', '40+', '40 +', 'more than 40', 'over 40', 'upwards of 40',
     'up to 40', 'as many as 40', 'at most 40', '40 or fewer', '40 or less',
     'about 120', 'around 120', 'approximately 120', 'roughly 120', 'some 120',
     'an estimated 120', 'estimated 120', 'about 0', 'about 1', 'about 5',
     'About 1,200', 'about two hundred', 'nearly 50', 'almost 50', 'nearly 1',
     'nearly 2', 'nearly 0', 'at least', 'about', 'over',
     'more than 9223372036854775807', 'at least 9223372036854775807',
     'about 9223372036854775807', 'at least 40-50', 'up to 40 to 50',
     'more than forty', 'at least a dozen', 'over 1,000', '40 or so',
     '40 or more people', 'none', 'None', 'NONE', 'no', 'no one', 'no-one',
     'nobody', 'unknown', 'Unknown', 'unclear', 'zero', 'one', 'twelve',
     'twenty-three', 'twenty three', 'one hundred', 'one hundred and fifty',
     'a hundred', 'a dozen', 'two dozen', 'dozen', 'three thousand',
     'a thousand', 'one million', 'two billion', 'ten', 'forty-two',
     'ninety-nine', 'eleven hundred', 'a', 'an', 'twenty-zero', 'one two',
     'hundred', 'thousand', 'nine billion billion', 'one hundred thousand',
     'two hundred and', 'Twenty-Three', 'dozens', 'Dozens', 'DOZENS', 'several',
     'a few', 'a couple', 'a handful', 'scores', 'tens', 'hundreds',
     'thousands', 'many', 'several hundred', 'dozens of', 'tens of thousands',
     'hundreds of thousands', 'several dozen', 'many thousands',
     'dozens killed', 'severalfold', 'a few dozen', '2 thousand', '1.5 million',
     '2.5 dozen', '1.5 dozen', '3 hundred', '2 hundred thousand',
     '1.25 thousand', '0.5 million', '1.0001 thousand', '2thousand',
     '2 Thousand', '1.5 billion', '3 million million', '1.5', '12.0', '0.0',
     '3.14', '92.', '92.5', '.5', '1.', '1e3', '1E3', '1.2e1', '-0', '-5',
     '-5.5', '1e999', '-1e3', '+5', '0x10', '12e', '1e-3', '5e0', '92 killed',
     '92 people', '92 (est.)', 'about 120 civilians',
     'at least 40 people killed', '92abc', '92 abc', '92,', '92;', '92!', '92?',
     '92%', '92 / 100', '92 of them', ' 92', '92 ', '  92  ', '\t92', '92\t',
     '\t 92 \t', '\n92', '92\n', '\r\n92\r\n', ' 85-92 ', '  at least 40  ', '',
     ' ', '\t', '   \t  ', '\x0b92\x0c', '92\xa0', 'abc', '?', 'n/a', 'N/A',
     '-', '--', '+', 'x', 'null', 'NaN', 'inf', '92 85', 'some', '"92"', "'92'",
     "92'", '\\92', '#92', '=92', '٩٢', '−92', '–', '~92', 'one hundred and',
     'between', 'between and', 'to 92', 'or 92', 'dozens-hundreds']

CELL = ("low", "best", "high", "open")


def parsed(text):
    """The parser's reading as a reconciled row's cell, or its error."""
    try:
        q = toll.parse_quantity(text)
    except toll.TollError as e:
        return type(e)
    if q is None:
        return (None, None, None, 0)
    return (float(q.low), q.best,
            float(q.low) if q.high is None else float(q.high),
            int(q.high is None))


def cell(reports):
    rows = reports.reconcile().table().rows()
    assert len(rows) == 1
    return tuple(rows[0][k] for k in CELL)


def from_records(value):
    try:
        return cell(toll.Reports.from_records(
            [{"incident": "i", "source": "s", "killed": value}]))
    except toll.TollError as e:
        return type(e)


def from_csv(tmp_path, text, header="killed", **options):
    p = tmp_path / "q.csv"
    with open(p, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL)
        w.writerow(["incident", "source", header])
        w.writerow(["i", "s", text])
    try:
        return cell(toll.read(p, **options))
    except toll.TollError as e:
        return type(e)


def test_texts_should_be_two_hundred_or_more():
    assert len(set(TEXTS)) >= 200


@pytest.mark.parametrize("text", TEXTS)
def test_records_and_csv_should_read_each_text_as_the_parser(tmp_path,
                                                             text):
    want = parsed(text)
    assert from_records(text) == want
    assert from_csv(tmp_path, text) == want
    assert from_csv(tmp_path, text, header="deaths",
                    map="killed=deaths") == want


@pytest.mark.parametrize("n", [0, 1, 92, 1306, 10**15, 2**53])
def test_records_should_read_an_int_as_the_text_of_its_digits(tmp_path, n):
    want = parsed(str(n))
    assert from_records(n) == want
    assert from_csv(tmp_path, str(n)) == want


@pytest.mark.parametrize("value", [-5, 1.5, 2**63, -0.5])
def test_records_should_reject_a_number_that_is_no_count(value):
    assert from_records(value) is toll.ReportError
