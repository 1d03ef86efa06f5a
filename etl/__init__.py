"""The data layer: validate quarterly returns, keep them, build and read the DuckDB store."""
