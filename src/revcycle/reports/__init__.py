"""KPI computations over query results.

``revcycle.reports.kpis`` turns plain totals (what the report queries aggregated in the
database) into the revenue-cycle KPIs, each with its value, numerator, denominator and
definition; ``revcycle.reports.aging`` puts open balances into the A/R aging buckets. Nothing
here touches a database.
"""

from revcycle.reports.aging import BUCKETS, AgingRow, aging_table, bucket_of, bucket_starts
from revcycle.reports.kpis import KPI_IDS, Kpi, KpiFacts, compute_kpis, days, rate

__all__ = [
    "BUCKETS",
    "KPI_IDS",
    "AgingRow",
    "Kpi",
    "KpiFacts",
    "aging_table",
    "bucket_of",
    "bucket_starts",
    "compute_kpis",
    "days",
    "rate",
]
