"""The project's own promises: our packages are ours, the README and CI agree, ruff is clean."""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["erlang", "sim", "scenarios", "calibrate", "plan", "report",
                                  "sim_cli"])
def test_packages_import_from_this_repository(name):
    # `scenarios` and `calibrate` also exist on PyPI; an install mix-up must not go unnoticed.
    module = __import__(name)
    assert Path(module.__file__).resolve().is_relative_to(ROOT)


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"```(?:bash|sh)\n(.*?)```", readme, flags=re.S)
    test_command = next(c.strip() for c in commands if "pytest" in c)
    assert test_command in (ROOT / ".ci" / "run").read_text()


#: Which of our packages each may import: dependencies point one way, floor by floor.
ALLOWED_IMPORTS = {
    "erlang": set(),
    "scenarios": set(),
    "sim": {"scenarios"},
    "calibrate": {"scenarios", "erlang"},
    "plan": {"erlang", "scenarios", "sim", "calibrate"},
    "report": {"erlang", "scenarios", "sim", "plan"},
    "sim_cli": {"erlang", "scenarios", "sim", "calibrate", "plan", "report"},
}
#: Imports the table forbids that a restructuring in progress is removing (none now).
_PENDING: set[tuple[str, str]] = set()


def _imported_top_names(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports, at any depth (lazy imports too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _sources(package: str) -> list[Path]:
    return [ROOT / "sim_cli.py"] if package == "sim_cli" else sorted(
        (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED_IMPORTS))
def test_each_package_imports_only_what_the_table_allows(package):
    ours = set(ALLOWED_IMPORTS)
    allowed = ALLOWED_IMPORTS[package] | {package} | {b for a, b in _PENDING if a == package}
    for path in _sources(package):
        wrong = (_imported_top_names(path) & ours) - allowed
        assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_pending_exceptions_are_still_needed():
    # Once the sim restructuring lands, a stale entry here would hide a new violation.
    for package, imported in _PENDING:
        assert any(imported in _imported_top_names(p) for p in _sources(package)), (
            f"{package} no longer imports {imported}: empty it from _PENDING")


def test_scenarios_needs_only_the_standard_library_and_numpy():
    for path in _sources("scenarios"):
        for name in _imported_top_names(path) - {"scenarios", "numpy"}:
            assert name in sys.stdlib_module_names, f"{path.relative_to(ROOT)} imports {name}"


def test_only_report_imports_matplotlib():
    for package in ALLOWED_IMPORTS.keys() - {"report"}:
        for path in _sources(package):
            assert "matplotlib" not in _imported_top_names(path), path.relative_to(ROOT)


def test_ruff_is_clean():
    # ruff comes with the test extra, so a missing ruff fails here rather than skipping.
    beside_python = Path(sys.executable).parent / "ruff"
    ruff = str(beside_python) if beside_python.exists() else shutil.which("ruff")
    assert ruff, "ruff is not installed (pip install -e '.[test]')"
    res = subprocess.run([ruff, "check", "erlang", "sim", "scenarios", "calibrate", "plan",
                          "report", "sim_cli.py", "tests", "bench"],
                         cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_the_cli_and_a_run_import_neither_scipy_stats_nor_scipy_optimize():
    # They cost a large share of a short run's start-up; Student-t quantiles come from
    # scipy.special, the Weibull root finder and the MILP are imported where they are used.
    code = ("import sys, sim_cli, sim.replicate, plan.runs, plan.erlang_view, plan.targets, "
            "report.tables, report.formats; "
            "print(sorted(m for m in ('scipy.stats', 'scipy.optimize') if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


def test_a_run_loads_no_module_it_does_not_need():
    # A run's replications go to forked workers, so a module first imported while simulating
    # is imported again in every worker: numpy.ma (np.unique loads it for a masked-array
    # check) cost 10-15 ms a worker, a tenth of a default run.
    out, loaded = _cli_loads(["run", "-q", "--workers", "1", "--replications", "2"],
                             ("numpy.ma", "scipy", "simpy", "matplotlib", "report.html"))
    assert "Whole run" in out
    assert loaded == []


def _cli_loads(argv: list[str], packages: tuple[str, ...]) -> tuple[str, list[str]]:
    """Run ``callsim *argv`` in a fresh interpreter: its stdout, and which of ``packages``
    (packages or modules, by full name) it imported on the way."""
    code = ("import sys, runpy\n"
            f"sys.argv = ['callsim', *{argv!r}]\n"
            "try:\n    runpy.run_module('sim_cli', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            f"print(sorted(p for p in {packages!r} if p in sys.modules), file=sys.stderr)")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    return res.stdout, ast.literal_eval(res.stderr.strip().splitlines()[-1])


def test_the_cli_help_loads_neither_numpy_nor_simpy():
    # ``callsim --help`` and the command parser need click, the error classes and the schema's
    # limits only; the scenarios package exports lazily so that its loader (numpy) stays out.
    out, loaded = _cli_loads(["--help"], ("numpy", "simpy", "scipy"))
    assert "Usage" in out
    assert loaded == []


def test_erlang_b_and_c_load_no_numpy():
    # Closed formulas in pure Python: a planner's quick question answers in the time Python and
    # click take to start (numpy alone would double it); Erlang A sums arrays, it needs numpy.
    for argv in (["erlang", "c", "--calls", "100", "--per", "hour", "--aht", "180",
                  "--agents", "5..8"],
                 ["erlang", "b", "--calls", "100", "--per", "hour", "--aht", "180",
                  "--lines", "8", "--format", "json"]):
        out, loaded = _cli_loads(argv, ("numpy", "simpy", "scipy"))
        assert "5.0" in out, out
        assert loaded == [], argv


def test_the_scenarios_package_exports_every_name_it_lists():
    import scenarios

    for name in scenarios.__all__:
        assert getattr(scenarios, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        scenarios.nope  # noqa: B018


@pytest.mark.parametrize("example", ["clinic", "bank"])
def test_a_run_of_the_examples_loads_neither_scipy_nor_simpy(example):
    # Importing scipy.special is over half of a short run's start-up (scipy >= 1.15 loads
    # numpy.testing and numpy.f2py through its array-API layer). The run path needs it only
    # for rare inputs: fractional or huge t degrees of freedom, Erlang B beyond 64 lines,
    # Erlang A with a long queue (see sim.results, erlang.erlang_b, erlang.erlang_a). Both
    # examples run on the fast engine, which needs no SimPy (sim.fast, sim.pacing).
    out, loaded = _cli_loads(["run", example, "-q", "-r", "3", "--workers", "1"],
                             ("scipy", "simpy"))
    assert "fast engine" in out
    assert loaded == []
    # The check can fail: the SimPy engine does import SimPy.
    _, loaded = _cli_loads(["run", example, "-q", "-r", "2", "--workers", "1", "--engine",
                            "simpy"], ("scipy", "simpy"))
    assert loaded == ["simpy"]
