"""Plain-Python domain model: values, entities and their invariants. No framework imports."""
