"""Persistence: SQLAlchemy 2 tables, repositories scoped to one practice, the unit of work and
the Alembic migrations (the only way the schema is made)."""

from revcycle.db import (
    accounting_tables,  # noqa: F401  (registers its tables)
    appeal_tables,  # noqa: F401  (registers its tables)
    claim_status_tables,  # noqa: F401  (registers its tables)
    cob_tables,  # noqa: F401  (registers its tables)
    denial_tables,  # noqa: F401  (registers its tables)
    eligibility_tables,  # noqa: F401  (registers its tables)
    estimate_tables,  # noqa: F401  (registers its tables)
    patient_billing_tables,  # noqa: F401  (registers its tables)
    underpayment_tables,  # noqa: F401  (registers its tables)
)
