"""Storage: SQLAlchemy Core tables, the event log, idempotency records and projections."""
