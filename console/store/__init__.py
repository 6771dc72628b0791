"""Persistence: SQLAlchemy models, repositories, migrations, outbox, credentials, destinations."""
