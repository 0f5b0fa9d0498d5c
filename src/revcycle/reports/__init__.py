"""KPI computations over query results."""
