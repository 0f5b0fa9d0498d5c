"""revcycle: an open-source revenue-cycle engine for US medical practices.

The package is layered (see docs/architecture.md): ``domain`` and ``codesets`` are plain Python,
``services`` orchestrates use cases through ``services.ports``, and ``db``, ``api`` and ``cli``
are adapters around them.
"""

__version__ = "0.1.0"
