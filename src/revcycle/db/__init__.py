"""Persistence: SQLAlchemy 2 tables, repositories scoped to one practice, the unit of work and
the Alembic migrations (the only way the schema is made)."""
