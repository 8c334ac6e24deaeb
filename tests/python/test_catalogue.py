"""The catalogue of bad input (tests/catalogue/catalogue.tsv) through the
Python module, plus checks that errors never crash the interpreter and that
results can be read from several threads at once.

Per catalogue row: load good.jsonl (2 reports), then the file.  Strict: the
exception (ParseError / ReportError / TollError by status) names the file,
line, record, field and text, its message starts with FILE:LINE: and holds
the fragment, and the reports still number 2.  Lenient: the right number of
reports is added and `rejects` lists the rejected records' lines.  The same
bytes through load_text() give the same outcome.
"""
import gc
import os
import re
import threading

import pytest

import toll

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
CAT = os.path.join(ROOT, "tests", "catalogue")
GOOD = os.path.join(CAT, "good.jsonl")
COLUMNS = ["name", "file", "format", "options", "status", "count", "line",
           "record", "field", "text", "message", "lenient", "rejects"]


def _rows():
    rows = []
    with open(os.path.join(CAT, "catalogue.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#") or line.startswith("name\t"):
                continue
            cells = line.split("\t")
            assert len(cells) == len(COLUMNS), line
            rows.append(dict(zip(COLUMNS, cells)))
    return rows


ROWS = _rows()
IDS = [r["name"] for r in ROWS]


@pytest.fixture(scope="module")
def gen_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("catalogue")


MB = 1 << 20


def _expand(data):
    """Each @MB@ -> 1 MiB of x; @FILL-N@ -> x up to N bytes before the 1 MiB
    chunk boundary of a file load."""
    if b"@MB@" in data:
        return data.replace(b"@MB@", b"x" * MB)
    m = re.search(rb"@FILL-(\d+)@", data)
    if m:
        fill = MB - int(m.group(1)) - m.start()
        return data[:m.start()] + b"x" * fill + data[m.end():]
    return data


def _path(row, gen_dir):
    """The input file of a row (.in templates expanded)."""
    name = row["file"]
    src = os.path.join(CAT, name)
    if not name.endswith(".in"):
        return src
    out = os.path.join(str(gen_dir), name[:-3])
    if not os.path.exists(out):
        with open(src, "rb") as f:
            data = _expand(f.read())
        with open(out, "wb") as f:
            f.write(data)
    return out


def _options(row):
    kw = {}
    if row["format"] != "auto":
        kw["format"] = row["format"]
    if row["options"] != "-":
        for opt in row["options"].split(" "):
            key, _, value = opt.partition("=")
            assert key in ("map", "preset"), opt
            kw[key] = value
    return kw


def _dash(value):
    return None if value == "-" else value


EXC = {"TOLL_EPARSE": toll.ParseError, "TOLL_EREPORT": toll.ReportError,
       "TOLL_EINVAL": toll.OptionError, "TOLL_EIO": OSError}


def _by_file_name(path):
    """The row's outcome comes from its file name, not its bytes: a
    directory, or an extension that does not tell the format."""
    return os.path.isdir(path) or os.path.splitext(path)[1] not in (
        ".csv", ".json", ".jsonl", ".ndjson")


def _check_error(row, exc, path):
    code = "TOLL_" + row["status"]
    assert isinstance(exc, EXC.get(code, toll.TollError))
    assert exc.code == code
    assert exc.file == path
    line = int(row["line"])
    assert exc.line == (line if line > 0 else None)
    record = int(row["record"])
    assert exc.record == (record if record >= 0 else None)
    assert exc.field == _dash(row["field"])
    assert exc.text == _dash(row["text"])
    # line 0: an error of the whole file, "FILE: ..."
    assert exc.message.startswith(f"{path}:{line}: " if line > 0
                                  else f"{path}: ")
    assert row["message"] in exc.message
    if not isinstance(exc, OSError):  # OSError: "[Errno N] MESSAGE: 'FILE'"
        assert str(exc) == exc.message


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_catalogue_strict_load_should_fail_with_a_located_error(row, gen_dir):
    path = _path(row, gen_dir)
    reports = toll.read(GOOD)
    assert len(reports) == 2
    if row["status"] == "OK":
        n = reports.load(path, **_options(row))
        assert n == int(row["count"])
        assert len(reports) == 2 + n
        assert reports.rejects == []
        return
    with pytest.raises((toll.TollError, OSError)) as info:
        reports.load(path, **_options(row))
    _check_error(row, info.value, path)
    assert len(reports) == 2          # strict mode adds nothing
    assert reports.rejects == []
    # the store is still usable
    assert len(reports.reconcile()) == 1


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_catalogue_lenient_load_should_keep_valid_records(row, gen_dir):
    path = _path(row, gen_dir)
    reports = toll.read(GOOD)
    if row["lenient"] == "fail":
        with pytest.raises((toll.TollError, OSError)) as info:
            reports.load(path, lenient=True, **_options(row))
        _check_error(row, info.value, path)
        assert len(reports) == 2
        return
    n = reports.load(path, lenient=True, **_options(row))
    assert n == int(row["lenient"])
    assert len(reports) == 2 + n
    lines = [] if row["rejects"] == "-" else [
        int(x) for x in row["rejects"].split(",")]
    rejects = reports.rejects
    assert [r["line"] for r in rejects] == lines
    for r in rejects:
        assert r["file"] == path
        assert r["code"] in ("TOLL_EPARSE", "TOLL_EREPORT")
        assert r["message"].startswith(f"{path}:{r['line']}: ")
    if rejects:
        assert row["message"] in rejects[0]["message"]


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_catalogue_text_load_should_match_the_file_load(row, gen_dir):
    path = _path(row, gen_dir)
    if _by_file_name(path):
        return
    with open(path, "rb") as f:
        data = f.read()
    kw = _options(row)
    if "format" not in kw:
        ext = os.path.splitext(path)[1]
        if ext in (".csv", ".jsonl"):
            kw["format"] = ext[1:]
    for lenient in (False, True):
        outcomes = []
        for load in (lambda r: r.load(path, lenient=lenient,
                                      **_options(row)),
                     lambda r: r.load_text(data, name=path, lenient=lenient,
                                           **kw)):
            reports = toll.read(GOOD)
            try:
                n = load(reports)
                outcomes.append(("ok", n, [r["message"]
                                           for r in reports.rejects]))
            except toll.TollError as exc:
                outcomes.append(("error", exc.code, exc.message))
        assert outcomes[0] == outcomes[1]


def test_catalogue_should_have_the_required_rows():
    names = set(IDS)
    for need in ("utf8_invalid_jsonl", "bom_csv", "crlf_csv", "cr_csv",
                 "csv_quoted_newlines", "empty_csv", "csv_header_only",
                 "long_line_jsonl", "json_deep_jsonl", "json_duplicate_key",
                 "count_nan_text", "count_negative_json",
                 "count_fraction_json", "count_overflow_json",
                 "low_gt_high_json", "best_outside_json",
                 "date_impossible_jsonl", "date_end_before_start_jsonl",
                 "source_missing_jsonl", "unknown_fields_kept_jsonl",
                 "quantity_misspelt_csv", "region_empty_level_jsonl"):
        assert need in names


# --------------------------------------------------------------------------
# errors never crash the interpreter

def test_every_catalogue_error_repeatedly_should_never_crash(gen_dir):
    """Raise every catalogue error many times; exceptions, their attributes
    and reject dicts survive garbage collection and interpreter churn."""
    kept = []
    for _ in range(3):
        for row in ROWS:
            path = _path(row, gen_dir)
            reports = toll.Reports()
            try:
                reports.load(path, **_options(row))
            except (toll.TollError, OSError) as exc:
                kept.append(exc)
                assert isinstance(exc.args[-1], str)
            try:
                reports.load(path, lenient=True, **_options(row))
                kept.extend(reports.rejects)
            except (toll.TollError, OSError) as exc:
                kept.append(exc)
            del reports
        gc.collect()
    assert any(isinstance(k, toll.TollError) for k in kept)
    for k in kept:
        repr(k)
        if isinstance(k, toll.TollError):
            assert k.message and k.code.startswith("TOLL_")


def test_errors_with_undecodable_bytes_should_raise_not_crash():
    reports = toll.Reports()
    for data in (b'{"source": "\xff\xfe", "killed": 1}\n',
                 b'{"source": "a", "killed": "\xc3"}\n',
                 b'source,killed\n\xff,1\n', b'source,kil\xffled\nA,1\n',
                 b'{"source": "a", "killed": "at leest \xe2\x80"}\n',
                 b'[' * 5000, b'\x00' * 100, b'{"\x00": 1}\n'):
        for lenient in (False, True):
            try:
                reports.load_text(data, name="bytes\xff", lenient=lenient)
            except toll.TollError as exc:
                assert isinstance(exc.message, str)
    assert len(reports) == 0


def test_bad_option_values_should_raise_not_crash(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("source,killed\nA,1\n", encoding="utf-8")
    bad = [dict(format="xml"), dict(delimiter=""), dict(delimiter="ab"),
           dict(actor_sep="\u00e9\u00e9"), dict(map="killed="),
           dict(map="=x"), dict(map={"killed": 5}),
           dict(about_tolerance=float("nan")), dict(about_tolerance=-1),
           dict(lexicon="no-such-preset")]
    for kw in bad:
        with pytest.raises((toll.TollError, TypeError, ValueError)):
            toll.read(p, **kw)
    with pytest.raises(OSError):
        toll.read(tmp_path / "missing.csv")
    with pytest.raises(OSError):
        toll.read(tmp_path)  # a directory


# --------------------------------------------------------------------------
# read-only use from several threads at once

def _run_threads(work, n=6):
    errors = []

    def wrap():
        try:
            work()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=wrap) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_threads_summarizing_one_incidents_should_agree(incidents):
    variants = [dict(by="actor"), dict(by=["region", "period:month"]),
                dict(by="actor", attribution="split", span="prorate"),
                dict(by="category"), dict(by="grade", min_grade="single")]
    expected = [incidents.summarize(**v).to_csv() for v in variants]

    def work():
        for _ in range(40):
            for v, e in zip(variants, expected):
                assert incidents.summarize(**v).to_csv() == e
            assert len(incidents.table()) >= len(incidents)

    _run_threads(work)


def test_threads_reading_reports_and_rejects_should_agree(gen_dir):
    reports = toll.read(GOOD)
    reports.load(os.path.join(CAT, "empty_level.csv"), lenient=True)
    rejects, cats, n = reports.rejects, reports.categories, len(reports)

    def work():
        for _ in range(300):
            assert reports.rejects == rejects
            assert reports.categories == cats
            assert len(reports) == n

    _run_threads(work)


def test_threads_parsing_with_one_lexicon_should_agree():
    lex = toll.Lexicon("acled")
    texts = ["dozens", "at least 150", "about 350", "85-92", "several",
             "unknown", "hundreds of people"] * 20
    expected = toll.parse_quantities(texts, lexicon=lex)

    def work():
        for _ in range(30):
            assert toll.parse_quantities(texts, lexicon=lex) == expected
            with pytest.raises(toll.ParseError):
                toll.parse_quantity("at leest 5", lexicon=lex)

    _run_threads(work)


def test_threads_raising_load_errors_should_each_get_their_own(gen_dir):
    rows = [r for r in ROWS if r["status"] != "OK"
            and not r["file"].endswith(".in")]

    def work():
        for row in rows:
            path = _path(row, gen_dir)
            reports = toll.read(GOOD)
            with pytest.raises((toll.TollError, OSError)) as info:
                reports.load(path, **_options(row))
            _check_error(row, info.value, path)
            assert len(reports) == 2

    _run_threads(work, n=4)


def test_threads_reading_column_buffers_should_agree(incidents):
    table = incidents.table()
    names = [c for c, t in zip(table.columns, table.column_types)
             if t != "string"]
    expected = {c: bytes(table.column_buffer(c)) for c in names}

    def work():
        for _ in range(200):
            for c in names:
                assert bytes(table.column_buffer(c)) == expected[c]

    _run_threads(work)


# --------------------------------------------------------------------------
# regression: concurrent reconcile of one Reports (docs/robustness.md, "What
# was found").  toll_reconcile then interned derived actor sets and region
# prefixes into the store's pools (they now stay in the incidents); the
# module released the GIL for several reconciles of the same
# Reports at once, and the interpreter died ("double free or corruption",
# an AddressSanitizer double-free under scripts/pytest-asan.sh).  Run in a
# child process so that a crash fails this test instead of killing pytest.

RACE_SCRIPT = r'''
import sys, threading, toll
lines = []
for i in range(400):
    lines.append('{"incident":"i%d","source":"S%d","actor":["A%d"],'
                 '"region":"C/P%d/D%d","killed":1}' % (i, i, i, i, i))
    lines.append('{"incident":"i%d","source":"T%d","actor":["B%d"],'
                 '"region":"C/P%d/E%d","killed":2}' % (i, i, i, i, i))
data = "\n".join(lines) + "\n"
ref = toll.Reports()
ref.load_text(data, format="jsonl")
want = ref.reconcile().summarize(by=["actor", "region"]).to_csv()
for _ in range(int(sys.argv[1])):
    reports = toll.Reports()
    reports.load_text(data, format="jsonl")
    out, barrier = [], threading.Barrier(4)
    def work():
        barrier.wait()
        out.append(reports.reconcile().summarize(
            by=["actor", "region"]).to_csv())
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == [want] * 4, "a concurrent reconcile gave another result"
print("ok")
'''


# regression: concurrent Reports.reconcile() corrupted the heap
# (docs/robustness.md); reads now share a store that is never written.
def test_threads_reconciling_fresh_reports_should_not_crash(tmp_path):
    import subprocess
    import sys
    script = tmp_path / "race.py"
    script.write_text(RACE_SCRIPT, encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.dirname(os.path.dirname(toll.__file__))]
        + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    # The race does not strike every time: several child processes.
    for _ in range(6):
        proc = subprocess.run([sys.executable, str(script), "40"], env=env,
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0 and proc.stdout.strip() == "ok", (
            proc.returncode, proc.stderr[-2000:])


# regression: a NUL character in a value (docs/robustness.md, "What was
# found") was silently truncated ("B\u0000C" loaded as "B").
@pytest.mark.parametrize("data,fmt", [
    (b'{"source": "B\\u0000C", "killed": 3}\n', "jsonl"),
    (b'{"source": "B\x00C", "killed": 3}\n', "jsonl"),
    (b'source,killed\nB\x00C,3\n', "csv"),
], ids=["json_escape", "json_raw", "csv"])
def test_nul_in_a_value_should_be_rejected_not_truncated(data, fmt):
    reports = toll.Reports()
    with pytest.raises(toll.ParseError) as info:
        reports.load_text(data, name="nul", format=fmt)
    assert info.value.field == "source"
    assert len(reports) == 0


# --------------------------------------------------------------------------
# the fuzz seed corpora (tests/fuzz/corpus) through the Python module

FUZZ = os.path.join(ROOT, "tests", "fuzz", "corpus")


def _corpus(name):
    d = os.path.join(FUZZ, name)
    if not os.path.isdir(d):
        return []
    return [os.path.join(d, f) for f in sorted(os.listdir(d))]


@pytest.mark.parametrize("harness,fmt", [("fuzz_json", "json"),
                                         ("fuzz_jsonl", "jsonl"),
                                         ("fuzz_csv", "csv")])
def test_fuzz_corpus_through_python_should_raise_or_load(harness, fmt):
    files = _corpus(harness)
    assert files
    for path in files:
        with open(path, "rb") as f:
            data = f.read()
        kw = {}
        if data.startswith(b"#map:"):
            spec, _, data = data[5:].partition(b"\n")
            kw["map"] = spec.decode("utf-8", "replace")
        for lenient in (False, True):
            reports = toll.Reports()
            try:
                reports.load_text(data, name=os.path.basename(path),
                                  format=fmt, lenient=lenient, **kw)
            except (toll.TollError, ValueError):
                assert len(reports) == 0
                continue
            for r in reports.rejects:
                assert r["message"]
            if len(reports):
                inc = reports.reconcile()
                inc.table().to_csv()
                inc.summarize(by=["actor", "period:month"]).to_json()


def test_fuzz_quantity_corpus_through_python_should_parse_or_raise():
    files = _corpus("fuzz_quantity")
    assert files
    for path in files:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        for lex in (None, "acled"):
            try:
                q = toll.parse_quantity(text, lexicon=lex)
            except toll.ParseError as exc:
                assert exc.message.startswith("cannot read")
                continue
            if q is not None:
                assert q.low >= 0 and (q.high is None or q.high >= q.low)


def test_fuzz_lexicon_corpus_through_python_should_load_or_raise(tmp_path):
    files = _corpus("fuzz_lexicon")
    assert files
    for path in files:
        lex = toll.Lexicon("default")
        n = len(lex)
        try:
            lex.load_file(path)
        except toll.TollError:
            assert len(lex) == n  # unchanged on error


# ==== tests/catalogue/mse.tsv: multiple systems estimation and option
# values (columns described in its header) ================================

def _mse_rows():
    rows = []
    with open(os.path.join(CAT, "mse.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#") or line.startswith("name\t"):
                continue
            name, args, status, message = line.split("\t")
            cmd, file, *kv = args.split(" ")
            key = value = None
            if kv:
                key, value = kv[0].split("=", 1)
                value = (value.replace("\\n", "\n").replace("\\r", "\r")
                         .replace("\\t", "\t"))
            rows.append(dict(name=name, cmd=cmd, file=file, key=key,
                             value=value, status=status, message=message))
    return rows


MSE_ROWS = _mse_rows()


def _mse_run(row):
    import toll.mse
    path = os.path.join(CAT, row["file"])
    kw = {row["key"]: row["value"]} if row["key"] else {}
    if row["cmd"] == "mse":
        model = kw.pop("model", None)
        d = toll.mse.read(path, **kw)
        d.loglinear(model)
    elif row["cmd"] == "lexicon":
        toll.load_lexicon(path)
    else:
        region = kw.pop("region", None)
        toll.read(path, **kw).reconcile().summarize(by=None, region=region)


@pytest.mark.parametrize("row", MSE_ROWS, ids=[r["name"] for r in MSE_ROWS])
def test_mse_catalogue_row_should_raise_its_error(row):
    cls = {"EINVAL": toll.OptionError, "EPARSE": toll.ParseError}[row["status"]]
    with pytest.raises(cls) as ei:
        _mse_run(row)
    assert ei.value.code == "TOLL_" + row["status"]
    assert row["message"] in str(ei.value)


def test_mse_catalogue_should_have_its_rows():
    assert len(MSE_ROWS) >= 9

# ==== end of the mse.tsv block ===========================================


# ==== summaries.tsv: summaries of catalogue inputs ==========================
# Per row (columns described at the top of tests/catalogue/summaries.tsv):
# load the file, reconcile, Incidents.summarize with the row's keywords,
# then the status and the checks.

SCOLUMNS = ["name", "file", "load", "options", "status", "check"]


def _summary_rows():
    rows = []
    with open(os.path.join(CAT, "summaries.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#") or line.startswith("name\t"):
                continue
            cells = line.split("\t")
            assert len(cells) == len(SCOLUMNS), line
            rows.append(dict(zip(SCOLUMNS, cells)))
    return rows


SROWS = _summary_rows()
_INT_KEYWORDS = {"draws", "seed", "max_rows"}


def _summary_keywords(options):
    kw, where, period = {}, [], None
    if options == "-":
        return kw
    for item in options.split(" "):
        key, _, value = item.partition("=")
        if key == "period":
            period = value
        elif key == "where":
            where.append(value)
        elif key == "actors":
            kw[key] = [value]
        elif key in _INT_KEYWORDS:
            kw[key] = int(value)
        elif key == "open_cap":
            kw[key] = float(value)
        else:
            kw[key] = value
    if where:
        kw["where"] = where
    if period and "by" in kw:  # a bare "period" key takes the unit
        kw["by"] = ",".join("period:" + period if k == "period" else k
                            for k in kw["by"].split(","))
    return kw


def _summary_row(table, keys, nkeys):
    cols = table.columns
    for i in range(len(table)):
        cells = [table[cols[k]][i] for k in range(nkeys)]
        if "|".join(cells) == keys:
            return i
    return None


@pytest.mark.parametrize("row", SROWS, ids=[r["name"] for r in SROWS])
def test_summaries_row_should_give_its_status_and_pass_its_checks(row):
    assert row["load"] == "-", "load options are not supported here"
    reports = toll.Reports()
    reports.load(os.path.join(CAT, row["file"]))
    inc = reports.reconcile()
    kw = _summary_keywords(row["options"])
    if row["status"] != "OK":
        with pytest.raises(toll.TollError) as info:
            inc.summarize(**kw)
        assert row["check"].startswith("error:")
        assert row["check"][6:] in str(info.value)
        return
    table = inc.summarize(**kw)
    cols = table.columns
    nkeys = cols.index("incidents")
    for check in row["check"].split(";"):
        if check == "invariant":
            for lo, be, hi in zip(table["low"], table["best"], table["high"]):
                assert lo <= be <= hi, (lo, be, hi)
        elif check.startswith("rows="):
            assert len(table) == int(check[5:])
        elif check.startswith("row:"):
            spec = check[4:]
            keys, _, cv = spec.rpartition(":")
            cname, _, want = cv.partition("=")
            i = _summary_row(table, keys, nkeys)
            assert i is not None, "no row " + keys
            got, want = table[cname][i], float(want)
            assert abs(got - want) <= 1e-6 * (1 + abs(want)), (got, want)
        elif check.startswith("warning:"):
            said = [w["message"] for w in reports.warnings + table.warnings]
            assert any(check[8:] in m for m in said), said
        else:
            pytest.fail("unknown check " + check)
# ==== end of summaries.tsv ==================================================



# ---- quantities.tsv: quantity texts (begin) --------------------------------
# Each row of tests/catalogue/quantities.tsv (columns described there)
# through toll.parse_quantity with the default lexicon.

def _quantity_rows():
    rows = []
    with open(os.path.join(CAT, "quantities.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#") or line.startswith("name\t"):
                continue
            cells = line.split("\t")
            assert len(cells) == 3, line
            rows.append(cells)
    return rows


QUANTITY_ROWS = _quantity_rows()


def test_quantities_table_should_have_the_rows():
    assert len(QUANTITY_ROWS) >= 40


@pytest.mark.parametrize("name,text,expect", QUANTITY_ROWS,
                         ids=[r[0] for r in QUANTITY_ROWS])
def test_quantities_row_should_read_as_listed(name, text, expect):
    if expect.startswith("error:"):
        with pytest.raises(toll.ParseError) as exc:
            toll.parse_quantity(text)
        assert expect[len("error:"):] in str(exc.value)
        assert text in str(exc.value)
        return
    q = toll.parse_quantity(text)
    if expect == "unknown":
        assert q is None
        return
    low, best, high = expect.split("..")
    assert q is not None
    assert q.low == int(low)
    assert q.high == (None if high == "-" else int(high))
    if best != "-":
        assert q.best == float(best)
# ---- quantities.tsv (end) ---------------------------------------------------
