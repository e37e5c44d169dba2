"""`make test` names every skipped test and why in its summary."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.browser.conftest import ROOT


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("args", [None, "", "-k speech"])
def test_pytest_runs_with_the_skip_summary_whatever_the_args(args):
    command = ["make", "-n", "test"] + ([] if args is None else [f"PYTEST_ARGS={args}"])
    # -n: print the recipe, run nothing; -o: the venv's stamps count as fresh.
    command += ["-o", ".venv/.installed", "-o", ".venv/.installed-test"]
    plan = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    [pytest_line] = [line for line in plan.splitlines() if "-m pytest" in line]
    assert " -rs" in pytest_line, pytest_line
