"""Two locks: requirements.lock is what production installs (the runtime dependencies of
pyproject.toml and nothing a test or a linter needs); requirements-dev.lock adds the development
extra on top, at exactly the runtime lock's versions. Both are what `uv pip compile` makes of
pyproject.toml today."""

import ast
import importlib.metadata
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_LOCK = "requirements.lock"
DEV_LOCK = "requirements-dev.lock"
PROJECT = "smartchunks (pyproject.toml)"

# How each lock is made (also the command its header names). The runtime lock comes first: the
# development lock is compiled against it as a constraint, so the two cannot disagree.
COMPILE_ARGS = {
    RUNTIME_LOCK: ["pyproject.toml", "--python-version", "3.11"],
    DEV_LOCK: ["pyproject.toml", "--extra", "dev", "-c", RUNTIME_LOCK, "--python-version", "3.11"],
}

# Tools no production server needs, by name, so that the test does not only trust pyproject.
TEST_AND_LINT_TOOLS = {
    "pytest",
    "pytest-django",
    "pytest-cov",
    "pytest-playwright",
    "playwright",
    "time-machine",
    "ruff",
    "import-linter",
    "djhtml",
    "mutmut",
    "coverage",
}


def _pins(lock: str) -> dict[str, str]:
    """The lock's packages, canonical name -> pinned version."""
    pins = {}
    for line in (ROOT / lock).read_text().splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            name, version = line.split(" ")[0].split("==")
            pins[canonicalize_name(name)] = version
    return pins


def _required_by(lock: str) -> dict[str, set[str]]:
    """The lock's `# via` notes: each package -> the packages (or the project) that need it."""
    needed_by: dict[str, set[str]] = {}
    current = None
    for line in (ROOT / lock).read_text().splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            current = canonicalize_name(line.split("==")[0])
            needed_by[current] = set()
            continue
        note = line.strip().removeprefix("#").strip().removeprefix("via").strip()
        if current and note and not note.startswith("-c "):
            needed_by[current].add(note if note == PROJECT else canonicalize_name(note))
    return needed_by


def _declared(group: str | None = None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["optional-dependencies"][group] if group else project["dependencies"]
    return [Requirement(line) for line in declared]


def _reachable(roots: set[str], needed_by: dict[str, set[str]]) -> set[str]:
    """Everything the roots pull in, by walking the `# via` notes from needer to needed."""
    needs: dict[str, set[str]] = {}
    for package, needers in needed_by.items():
        for needer in needers:
            needs.setdefault(needer, set()).add(package)
    found, todo = set(), list(roots)
    while todo:
        package = todo.pop()
        if package not in found:
            found.add(package)
            todo.extend(needs.get(package, ()))
    return found


def test_the_runtime_lock_has_no_test_or_lint_tool():
    runtime, dev = _pins(RUNTIME_LOCK), _pins(DEV_LOCK)
    assert dev.keys() >= TEST_AND_LINT_TOOLS, "the development lock lacks a tool"
    assert not TEST_AND_LINT_TOOLS & runtime.keys()


def test_the_runtime_lock_has_nothing_that_only_the_tools_pull_in():
    """pluggy, iniconfig, greenlet, grimp, libcst... come with the tools; in the development
    lock's own dependency graph, what only the development extra reaches is kept out."""
    needed_by = _required_by(DEV_LOCK)
    runtime_roots = {canonicalize_name(r.name) for r in _declared()}
    dev_roots = {canonicalize_name(r.name) for r in _declared("dev")}
    only_for_development = _reachable(dev_roots, needed_by) - _reachable(runtime_roots, needed_by)
    assert {"pytest", "pluggy", "greenlet", "libcst"} <= only_for_development
    assert not only_for_development & _pins(RUNTIME_LOCK).keys()


def test_every_package_of_the_runtime_lock_is_there_for_a_runtime_dependency():
    needed_by = _required_by(RUNTIME_LOCK)
    runtime_roots = {canonicalize_name(r.name) for r in _declared()}
    assert set(needed_by) == _reachable(runtime_roots, needed_by)


def test_every_runtime_dependency_is_locked_at_a_version_it_allows():
    runtime = _pins(RUNTIME_LOCK)
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in runtime, f"{requirement} is missing from {RUNTIME_LOCK}"
        assert requirement.specifier.contains(runtime[name], prereleases=True), requirement
        for extra in requirement.extras:  # psycopg[binary] brings psycopg-binary
            for needed in _brought_by_extra(requirement.name, extra):
                assert needed in runtime, f"{requirement} without {needed} (its {extra} extra)"


def _brought_by_extra(distribution: str, extra: str) -> set[str]:
    """What an extra adds, from the installed package's own metadata."""
    brought = set()
    for line in importlib.metadata.requires(distribution) or ():
        needed = Requirement(line)
        if needed.marker is not None and needed.marker.evaluate({"extra": extra}):
            brought.add(canonicalize_name(needed.name))
    assert brought, f"{distribution}[{extra}] brings nothing"
    return brought


def test_the_dev_lock_pins_every_runtime_package_at_the_same_version():
    runtime, dev = _pins(RUNTIME_LOCK), _pins(DEV_LOCK)
    assert {name: dev.get(name) for name in runtime} == runtime
    for requirement in _declared("dev"):
        assert canonicalize_name(requirement.name) in dev, f"{requirement} is not locked"


def _uv() -> str:
    beside_python = Path(sys.executable).with_name("uv")  # the Makefile installs it in .venv
    uv = str(beside_python) if beside_python.exists() else shutil.which("uv")
    assert uv, "uv is not installed (make install puts it in .venv/bin)"
    return uv


def _lock_command(lock: str) -> str:
    return " ".join([".venv/bin/uv", "pip", "compile", *COMPILE_ARGS[lock], "-o", lock])


def _compile(lock: str, into: Path, *extra: str) -> subprocess.CompletedProcess:
    header = " ".join(["uv", "pip", "compile", *COMPILE_ARGS[lock], "-o", lock])
    return subprocess.run(  # noqa: S603
        [_uv(), "pip", "compile", *COMPILE_ARGS[lock], *extra, "--quiet", "-o", str(into)]
        + ["--custom-compile-command", header],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_locks_are_what_uv_compiles_from_pyproject(tmp_path):
    """Re-lock into a copy of each lock: uv keeps the versions the copy pins unless pyproject no
    longer allows them, so new releases upstream do not fail this test, a changed pyproject
    does. From uv's cache first (it holds what the install fetched); from PyPI if that fails."""
    for lock in (RUNTIME_LOCK, DEV_LOCK):
        relocked = tmp_path / lock
        shutil.copy(ROOT / lock, relocked)
        compiled = _compile(lock, relocked, "--offline")
        if compiled.returncode != 0:
            shutil.copy(ROOT / lock, relocked)
            compiled = _compile(lock, relocked)
        assert compiled.returncode == 0, compiled.stderr
        assert relocked.read_text() == (ROOT / lock).read_text(), (
            f"{lock} is out of date with pyproject.toml: re-lock with `{_lock_command(lock)}`"
        )


def _third_party_imports_of_the_application() -> dict[str, str]:
    """Top-level module -> a file importing it, over every module production loads."""
    own = {"smartchunks", "articles", "authors"}
    imported = {}
    for package in sorted(own):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in own and top not in sys.stdlib_module_names:
                        imported.setdefault(top, str(path.relative_to(ROOT)))
    return imported


def test_everything_the_application_imports_is_in_the_runtime_lock():
    """A module that imports a development tool (or a package only a tool brings) would break
    on a server installed from the runtime lock alone."""
    runtime = _pins(RUNTIME_LOCK).keys()
    distributions = importlib.metadata.packages_distributions()
    imported = _third_party_imports_of_the_application()
    assert {"django", "bs4", "PIL"} <= imported.keys()
    missing = {
        module: where
        for module, where in imported.items()
        if not {canonicalize_name(d) for d in distributions.get(module, [module])} & runtime
    }
    assert not missing, f"imported, but not in {RUNTIME_LOCK}: {missing}"
