"""The store: its schema and invariants (store), the derived summary tables (summaries), reference data from the boundaries (reference), demo data (demo) and start-up (startup)."""
