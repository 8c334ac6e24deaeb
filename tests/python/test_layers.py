"""scripts/check-layers.py: the stage order of src/ is enforced."""
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(ROOT, "scripts", "check-layers.py")
SRC = os.path.join(ROOT, "src")

pytestmark = pytest.mark.skipif(
    not os.path.isdir(SRC), reason="needs the source tree (src/)")


def run(src):
    return subprocess.run([sys.executable, SCRIPT, src],
                          capture_output=True, text=True)


def test_source_tree_passes():
    r = run(SRC)
    assert r.returncode == 0, r.stderr


def test_planted_upward_include_fails(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(SRC, copy)
    victim = copy / "store" / "store.c"
    victim.write_text('#include "summarize/kernel.h"\n' + victim.read_text())
    r = run(str(copy))
    assert r.returncode == 1
    assert "store/store.c:1" in r.stderr
    assert "'store' includes \"summarize/kernel.h\" of stage 'summarize'" in r.stderr


def test_folders_including_each_other_fail(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(SRC, copy)
    # base may include nothing; make core <-> base a cycle
    victim = copy / "base" / "util.c"
    victim.write_text('#include "core/core.h"\n' + victim.read_text())
    r = run(str(copy))
    assert r.returncode == 1
    assert "folders 'base' and 'core' include each other" in r.stderr


def test_file_directly_in_src_fails(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(SRC, copy)
    (copy / "stray.c").write_text("int x;\n")
    r = run(str(copy))
    assert r.returncode == 1
    assert "stray.c: a file directly in src/" in r.stderr
