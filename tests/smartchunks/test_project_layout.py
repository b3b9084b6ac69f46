"""The shape of the house holds: the top level is what the product owner fixed, every Python
package in it is under the import layers, and those layers really refuse an upward import."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXED_TOP_LEVEL_PACKAGES = {"smartchunks", "articles", "authors", "tests"}
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _layers_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def test_the_top_level_holds_only_the_fixed_packages():
    packages = {path.name for path in ROOT.iterdir() if (path / "__init__.py").exists()}
    assert packages == FIXED_TOP_LEVEL_PACKAGES


def test_every_application_package_is_under_the_import_layers():
    assert set(_layers_config()["root_packages"]) == FIXED_TOP_LEVEL_PACKAGES - {"tests"}


def _lint_imports_on_a_copy(tmp_path, breaking_line: str, into: str):
    for package in ("smartchunks", "articles", "authors"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with open(tmp_path / into, "a") as module:
        module.write(f"\n{breaking_line}\n")
    return subprocess.run(  # noqa: S603
        [str(LINT_IMPORTS), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, check=False
    )


def test_the_layers_refuse_an_upward_import(tmp_path):
    result = _lint_imports_on_a_copy(
        tmp_path, "from articles.reader import views  # noqa", "articles/workflow/services.py"
    )
    assert result.returncode != 0
    assert "articles.workflow is not allowed to import articles.reader" in result.stdout


def test_the_layers_pass_on_the_code_as_it_is(tmp_path):
    result = _lint_imports_on_a_copy(tmp_path, "", "articles/__init__.py")
    assert result.returncode == 0, result.stdout
