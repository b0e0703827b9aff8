"""What `gridreseller serve` does around uvicorn: the listening socket, logging, and the
bootstrap password's file.

The socket is bound here, before anything says "listening": a port in use is a
one-line error, not a traceback from inside uvicorn after the announcement. uvicorn
then serves on that socket (in this process, or in `--workers N` children).
"""

from __future__ import annotations

import contextlib
import copy
import errno
import os
import socket
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy.engine import make_url
from uvicorn.supervisors import Multiprocess

from gridreseller.config import ConfigurationError, Settings
from gridreseller.http_server import uvicorn_options

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ADMIN_PASSWORD_FILE = "gridreseller-admin-password"  # noqa: S105 - a file name
BACKLOG = 2048


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port and listening, or ConfigurationError saying why not."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        )[0]
    except (socket.gaierror, UnicodeError) as error:
        raise cannot_listen(host, port, error) from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError as error:
        sock.close()
        raise cannot_listen(host, port, error) from None
    return sock


def cannot_listen(host: str, port: int, error: BaseException) -> ConfigurationError:
    """The one-line reason a server could not listen (`serve` and `smtp` alike)."""
    in_use = isinstance(error, OSError) and error.errno == errno.EADDRINUSE
    reason = "the port is in use" if in_use else _why(error)
    return ConfigurationError(f"cannot listen on {host}:{port}: {reason}")


def _why(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error)


def run(sock: socket.socket, workers: int, settings: Settings) -> None:
    """uvicorn on the bound socket until SIGTERM or SIGINT; the app reads its settings
    from the environment (`asgi.create_app`), as each worker process does."""
    config = uvicorn.Config(
        "gridreseller.asgi:create_app",
        factory=True,
        workers=workers,
        log_config=log_config(settings.log_level),
        # The bounded protocol, no server header, no access log of uvicorn's, and
        # proxy_headers off: X-Forwarded-For is ours to judge (asgi.py).
        **uvicorn_options(settings),
    )
    if workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])


def log_config(level: str = "INFO") -> dict[str, Any]:
    """uvicorn's logging setup with its loggers and ours (the access log among them)
    on one timestamped plain format: uvicorn's formatter copies every record to colour it."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["formatters"]["gridreseller"] = {"format": LOG_FORMAT}
    config["handlers"]["gridreseller"] = {
        "class": "logging.StreamHandler",
        "formatter": "gridreseller",
        "stream": "ext://sys.stderr",
    }
    for name in ("gridreseller", "uvicorn", "uvicorn.error", "uvicorn.access"):
        config["loggers"][name] = {"handlers": ["gridreseller"], "level": level, "propagate": False}
    return config


def admin_password_path(settings: Settings) -> Path:
    """Beside a SQLite database file; in the working directory for PostgreSQL."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database:
        return Path(url.database).resolve().parent / ADMIN_PASSWORD_FILE
    return Path.cwd() / ADMIN_PASSWORD_FILE


def write_secret(path: Path, secret: str) -> None:
    """The file, readable by its owner only from its first byte, replacing an old one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secret + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
