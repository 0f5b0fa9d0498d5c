"""The code-set core imports only the standard library, itself and simple_icd_10_cm.

import-linter states the same contract for the whole tree; this test keeps it checked while
other packages of the tree are still being written.
"""

from __future__ import annotations

import ast
import sys
from datetime import date
from pathlib import Path

import revcycle.codesets as package
from revcycle.codesets.icd10cm import load_order_file, version_name

ALLOWED_THIRD_PARTY = {"simple_icd_10_cm"}


def test_codesets_imports_only_the_stdlib_and_itself():
    root = Path(package.__file__).parent
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                ok = (
                    name.startswith("revcycle.codesets")
                    or top in sys.stdlib_module_names
                    or top in ALLOWED_THIRD_PARTY
                    or top == "__future__"
                )
                assert ok, f"{path.name} imports {name}"


def test_data_files_ship_inside_the_package():
    data = Path(package.__file__).parent / "data"
    for name in (
        "carc.tsv",
        "pos.tsv",
        "modifiers.tsv",
        "simple_lists.tsv",
        "rarc_codes.txt",
        "service_types_271.tsv",
        "icd10cm_age_sex.tsv",
        "search_synonyms.tsv",
    ):
        assert (data / name).is_file(), name


def test_version_names_default_from_the_effective_date(fixtures):
    assert version_name(date(2026, 10, 1)) == "FY2027"
    assert version_name(date(2027, 4, 1)) == "FY2027-04"
    v = load_order_file(fixtures / "icd10cm_order_2027.txt", effective_from=date(2026, 10, 1))
    assert v.name == "FY2027"
