"""The package's ``toll`` command (python/toll/__main__.py): the toll
program of the C library run in the Python process, the same program as
the executable CMake builds."""
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, toll

SEEDS = os.path.join(ROOT, "data", "seeds.jsonl")


def run_module(*args):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.dirname(os.path.dirname(toll.__file__)),
         env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-m", "toll", *args],
                          capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)


def test_python_m_toll_should_summarize_as_the_executable_does():
    p = run_module("summarize", SEEDS, "--by", "actor", "--format", "csv")
    assert p.returncode == 0, p.stderr
    cli = os.environ.get("TOLL_CLI")
    if not cli or not os.path.exists(cli):
        assert p.stdout.startswith("actor,")
        pytest.skip("TOLL_CLI is not set: compared with nothing")
    want = subprocess.run([cli, "summarize", SEEDS, "--by", "actor",
                           "--format", "csv"], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert p.stdout == want.stdout
    assert p.stderr == want.stderr


def test_python_m_toll_should_exit_with_the_programs_status():
    p = run_module("summarize", os.path.join(ROOT, "no-such-file.csv"))
    assert p.returncode == 1
    assert "no-such-file.csv: cannot open" in p.stderr
    p = run_module("summarize", "--no-such-flag")
    assert p.returncode == 2


def test_main_should_run_in_process_and_return_the_status(capfd):
    from toll.__main__ import main
    assert main(["--version"]) == 0
    out, _ = capfd.readouterr()
    assert out.strip() == "toll " + toll.__version__


def test_pip_install_should_put_the_toll_command_beside_python():
    import sysconfig
    site = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    if not any(toll.__file__.startswith(d + os.sep) for d in site):
        pytest.skip("tests a pip-installed package (toll is imported from "
                    f"{os.path.dirname(toll.__file__)})")
    exe = shutil.which("toll", path=os.path.dirname(sys.executable))
    assert exe, "pip install . did not install the toll command"
    p = subprocess.run([exe, "summarize", SEEDS, "--by", "actor"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "Total" in p.stdout
