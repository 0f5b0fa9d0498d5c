"""Code systems for coding and billing, valid by date of service.

Public entry points (see each module for the rules it keeps):

* ``lookup(code, system, dos)`` -> ``LookupResult`` for icd10cm, icd10pcs, hcpcs, cpt,
  modifier, pos, carc, rarc.
* ``search(text, system)`` -> ranked ``Hit`` list; ``suggest(note_text)`` -> ``Suggestion`` list.
* ``validate_coding(dos=, diagnoses=, lines=, age=, sex=)`` -> list of ``Finding``.
* ``default_codesets()`` -> the bundled ``CodeSets``; loaders in ``icd10cm``, ``icd10pcs``,
  ``hcpcs``, ``reference``, ``ncci`` and ``pfs`` return new immutable tables, and
  ``CodeSets.with_*`` returns a new value holding them.

This package imports only the standard library, its own modules and ``simple_icd_10_cm``.
"""

from revcycle.codesets.catalog import (
    LOOKUP_SYSTEMS,
    SEARCH_SYSTEMS,
    CodeSets,
    LookupResult,
    default_codesets,
    lookup,
    search,
    suggest,
)
from revcycle.codesets.errors import CodeSetError, MalformedCodeFile, UnknownCodeSystem
from revcycle.codesets.findings import Finding
from revcycle.codesets.search import Hit, Suggestion
from revcycle.codesets.validation import ServiceLine, validate_coding

__all__ = [
    "LOOKUP_SYSTEMS",
    "SEARCH_SYSTEMS",
    "CodeSetError",
    "CodeSets",
    "Finding",
    "Hit",
    "LookupResult",
    "MalformedCodeFile",
    "ServiceLine",
    "Suggestion",
    "UnknownCodeSystem",
    "default_codesets",
    "lookup",
    "search",
    "suggest",
    "validate_coding",
]
