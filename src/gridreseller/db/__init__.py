"""Persistence: tables, repositories (which never commit), engine, migrations."""
