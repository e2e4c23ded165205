"""The project's own promises: our packages are ours, the README and CI agree, ruff is clean."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["erlang", "sim", "scenarios", "calibrate", "sim_cli"])
def test_packages_import_from_this_repository(name):
    # `scenarios` and `calibrate` also exist on PyPI; an install mix-up must not go unnoticed.
    module = __import__(name)
    assert Path(module.__file__).resolve().is_relative_to(ROOT)


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"```(?:bash|sh)\n(.*?)```", readme, flags=re.S)
    test_command = next(c.strip() for c in commands if "pytest" in c)
    assert test_command in (ROOT / ".ci" / "run").read_text()


def test_erlang_imports_nothing_of_ours():
    for path in (ROOT / "erlang").glob("*.py"):
        text = path.read_text()
        assert not re.search(r"^\s*(from|import)\s+(sim|scenarios|calibrate|sim_cli)\b", text,
                             flags=re.M), path


def test_ruff_is_clean():
    # ruff comes with the test extra, so a missing ruff fails here rather than skipping.
    beside_python = Path(sys.executable).parent / "ruff"
    ruff = str(beside_python) if beside_python.exists() else shutil.which("ruff")
    assert ruff, "ruff is not installed (pip install -e '.[test]')"
    res = subprocess.run([ruff, "check", "erlang", "sim", "scenarios", "calibrate", "sim_cli.py",
                          "tests", "bench"], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
