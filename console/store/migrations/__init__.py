"""The one Alembic migration chain for SQLite and PostgreSQL."""
