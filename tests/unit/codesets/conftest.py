"""Shared fixtures: the bundled code sets (built once per test process) and fixture files."""

from __future__ import annotations

from pathlib import Path

import pytest

from revcycle.codesets import CodeSets, default_codesets

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "codesets"


@pytest.fixture(scope="session")
def cs() -> CodeSets:
    return default_codesets()


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES
