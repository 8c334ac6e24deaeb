"""Smoke test of the benchmark (bench/run.py --smoke): on 10^4 generated
reports, toll and every installed peer (pandas, polars, DuckDB) produce the
same table.  Correctness only: nothing here looks at a time.

toll must run (its Python module, and its CLI when a built one is found);
a peer that is not installed is skipped, saying how to install it.
"""
import importlib.util
import os
import subprocess
import sys

import pytest

import toll

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
BENCH = os.path.join(ROOT, "bench")
RUN = os.path.join(BENCH, "run.py")
INSTALL_HINT = "pip install -r bench/requirements.txt"


def _env():
    """The environment for bench/run.py: the toll module this test session
    imported (in-place build or installed), and no thread oversubscription
    surprises."""
    env = dict(os.environ)
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(
        toll.__file__)))
    env["PYTHONPATH"] = os.pathsep.join(
        [pkg_parent] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return env


def _smoke(out_dir, impls):
    cmd = [sys.executable, RUN, "--smoke", "--out", str(out_dir), "--impls",
           ",".join(impls)]
    return subprocess.run(cmd, capture_output=True, text=True, env=_env(),
                          timeout=600)


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("bench-out")


def _needs(*modules):
    for m in modules:
        if importlib.util.find_spec(m) is None:
            pytest.skip(f"bench smoke: {m} is not installed ({INSTALL_HINT})")


def _agreeing(proc):
    """The 'NAME FORMAT agrees' lines of a smoke run."""
    return [line.split() for line in proc.stdout.splitlines()
            if line.strip().endswith("agrees")]


def test_bench_smoke_toll_runs_and_its_paths_agree(out_dir):
    # The generator needs numpy; toll itself must run (no skip for it).
    _needs("numpy")
    proc = _smoke(out_dir, ["toll-cli", "toll-py"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "smoke: all implementations agree" in proc.stdout
    names = {" ".join(w[:-2]) for w in _agreeing(proc)}
    assert "toll Python" in names, proc.stdout + proc.stderr
    formats = {w[-2] for w in _agreeing(proc)}
    assert formats == {"csv", "jsonl"}
    if "toll CLI" not in names:
        # Not a failure: the CLI is optional here (only the Python module is
        # installed by pip); say so in the test output.
        print("toll CLI not found: only the Python path was checked "
              "(set TOLL_CLI)", proc.stderr)


@pytest.mark.parametrize("peer, modules", [
    ("pandas", ("pandas", "pyarrow")),
    ("polars", ("polars",)),
    ("duckdb", ("duckdb",)),
])
def test_bench_smoke_peer_agrees_with_toll(out_dir, peer, modules):
    _needs("numpy", *modules)
    proc = _smoke(out_dir, ["toll-py", peer])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    label = {"pandas": "pandas", "polars": "polars", "duckdb": "DuckDB"}[peer]
    agreeing = _agreeing(proc)
    assert [label, "csv", "agrees"] in agreeing, proc.stdout + proc.stderr
    assert [label, "jsonl", "agrees"] in agreeing, proc.stdout + proc.stderr


def test_bench_smoke_detects_a_disagreement(tmp_path):
    # The comparison must be able to fail: a table with one changed best.
    _needs("numpy")
    sys.path.insert(0, BENCH)
    try:
        import run
    finally:
        sys.path.remove(BENCH)
    header = "actor,region,period,incidents,reports,low,best,high\n"
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text(header + "Syria,Syria/Idlib,2016-09,2,5,10,12.5,15\n")
    b.write_text(header + "Syria,Syria/Idlib,2016-09,2,5,10,12.75,15\n")
    ref = run.load_result(str(a))
    assert run.compare(ref, ref) == []
    assert len(run.compare(ref, run.load_result(str(b)))) == 1
