"""Applies Alembic migrations; every command calls this before touching data."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from gridreseller.config import ConfigurationError
from gridreseller.db.engine import display_url

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, log_level: str = "INFO") -> None:
    """Bring the schema to the newest revision (a no-op when it is already there).

    The first connection any command makes is this one: a database that cannot be
    reached, or holds something else, is a ConfigurationError here. Alembic's lines
    about it ("Context impl SQLiteImpl.", "Will assume transactional DDL.") are shown
    at the DEBUG log level only: at start-up they read like news, and are none."""
    if log_level != "DEBUG":
        logging.getLogger("alembic").setLevel(logging.WARNING)
    config = alembic_config(engine)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except DBAPIError as error:
        raise ConfigurationError(
            f"cannot open the database {_name(engine)}: {_reason(error)}"
        ) from None
    except CommandError as error:
        raise ConfigurationError(
            f"the database {_name(engine)} has a schema this version does not know"
            f" ({_first_line(error)}): is it from a newer gridreseller?"
        ) from None


def _name(engine: Engine) -> str:
    return display_url(engine.url.render_as_string(hide_password=False))


def _reason(error: DBAPIError) -> str:
    """The driver's own words, first line only (psycopg adds hints on further lines)."""
    return _first_line(error.orig if error.orig is not None else error)


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
