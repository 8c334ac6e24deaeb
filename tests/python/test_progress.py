"""A load's progress (the load option ``progress``): a callable gets the
bytes read; None shows a tqdm bar when tqdm is installed; False none."""
import gzip
import os
import sys

import pytest

from conftest import ROOT, toll

ACLED = os.path.join(ROOT, "tests", "data", "acled_sample.csv")


def big_csv(tmp_path, rows=40000):
    path = tmp_path / "big.csv"
    with open(path, "w") as f:
        f.write("incident,source,date,killed,note\n")
        for i in range(rows):
            f.write(f"i{i},s{i % 7},2020-01-{1 + i % 28:02d},{i % 50},"
                    f"{'x' * 40}\n")
    return path


def test_a_callable_should_see_the_bytes_rise_to_the_file_size(tmp_path):
    path = big_csv(tmp_path)
    size = os.path.getsize(path)
    calls = []
    toll.read(path, progress=lambda done, total: calls.append((done, total)),
              threads=1)
    assert len(calls) >= 2
    assert all(t == size for _, t in calls)
    assert [d for d, _ in calls] == sorted({d for d, _ in calls})
    assert calls[-1][0] == size


def test_compressed_input_should_count_compressed_bytes(tmp_path):
    gz = tmp_path / "a.csv.gz"
    gz.write_bytes(gzip.compress(open(ACLED, "rb").read()))
    calls = []
    toll.read(gz, preset="acled", progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (os.path.getsize(gz), os.path.getsize(gz))


def test_false_should_mean_no_progress(tmp_path, monkeypatch):
    pytest.importorskip("tqdm")
    import toll._api as api
    made = []
    monkeypatch.setattr(api, "_TqdmProgress",
                        lambda tqdm: made.append(1) or (lambda d, t: None))
    toll.read(ACLED, preset="acled", progress=False)
    assert made == []
    toll.read(ACLED, preset="acled")          # None: tqdm when installed
    assert made == [1]


def test_true_without_tqdm_should_say_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with pytest.raises(ImportError, match="pip install tqdm"):
        toll.read(ACLED, preset="acled", progress=True)
    # and None quietly shows nothing
    assert len(toll.read(ACLED, preset="acled")) == 6


def test_a_bad_progress_value_should_be_an_option_error():
    with pytest.raises(toll.OptionError, match="progress"):
        toll.read(ACLED, preset="acled", progress=42)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_error_in_the_callable_should_not_stop_the_load(tmp_path):
    def boom(done, total):
        raise RuntimeError("bar broke")
    r = toll.read(ACLED, preset="acled", progress=boom)
    assert len(r) == 6


def test_a_tqdm_bar_should_reach_the_total(tmp_path):
    tqdm = pytest.importorskip("tqdm")
    import toll._api as api
    bars = []

    class Bar:
        def __init__(self, **kw):
            self.total, self.n, self.closed = kw["total"], 0, False
            assert kw["delay"] == 2
            bars.append(self)

        def update(self, k):
            self.n += k

        def close(self):
            self.closed = True
    path = big_csv(tmp_path, 5000)
    toll.read(path, progress=api._TqdmProgress(Bar))
    assert bars and bars[0].n == bars[0].total == os.path.getsize(path)
    assert bars[0].closed


def _cli_on_a_terminal(args, tmp_path, delay="0"):
    """Run the CLI with stderr on a pseudo-terminal: (exit status, what it
    wrote there)."""
    import pty
    import subprocess
    cli = os.environ.get("TOLL_CLI")
    if not cli or not os.path.exists(cli):
        pytest.skip("TOLL_CLI is not set")
    master, slave = pty.openpty()
    env = dict(os.environ, TOLL_PROGRESS_DELAY=delay)
    p = subprocess.Popen([cli, *args], stdout=subprocess.DEVNULL,
                         stderr=slave, env=env)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return p.wait(timeout=120), out.decode("utf-8", "replace")


def test_the_command_should_draw_a_bar_on_a_terminal_and_clear_it(tmp_path):
    path = big_csv(tmp_path)
    rc, err = _cli_on_a_terminal(["summarize", str(path), "--threads", "1"],
                                 tmp_path)
    assert rc == 0
    assert "toll: reading" in err and "of" in err and "MB" in err
    assert err.rstrip().endswith("\x1b[K")   # the line cleared at the end
    rc, err = _cli_on_a_terminal(["summarize", str(path), "--no-progress"],
                                 tmp_path)
    assert rc == 0 and "toll: reading" not in err
