"""Read-only analytics across features: the analytical store (DuckDB), its sync from the
operational database, the CX metrics and the KPI queries (Ibis)."""
