"""Mappings between domain objects and X12 segments, one module per transaction."""
