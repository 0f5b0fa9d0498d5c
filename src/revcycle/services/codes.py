"""Code-set questions the registration use cases ask (place of service for now).

The place-of-service list is the one ``revcycle.codesets`` bundles (CMS POS code set), so
registration and coding validation agree on what a POS code is.  The richer code-set use cases
(lookup, search, loading) live in ``services.codesets_service``.
"""

from __future__ import annotations

from revcycle.codesets.reference import bundled_lists


def place_of_service_exists(code: str) -> bool:
    """Whether ``code`` is an assigned CMS place-of-service code (two digits, exact)."""
    return code in bundled_lists()["pos"].entries
