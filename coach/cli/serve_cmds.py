"""``coach serve``: the staff page and the HTTP API (coach/server.py) under uvicorn."""

from __future__ import annotations

import ipaddress
import logging
import sys
from typing import Annotated

import typer

from coach.cli._common import reports_errors

KEEP_ALIVE_SECONDS = 75  # as nginx's default: longer than the idle expiry of common HTTP clients


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere: treat it as public


def _logging() -> None:
    """One line per record on stderr: the server's request lines are JSON already."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    for name in ("coach", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


@reports_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind (off loopback: COACH_API_TOKEN).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8765,
) -> None:
    """网页和 API / Serve the staff page and the HTTP API (default http://127.0.0.1:8765/)."""
    import uvicorn

    from coach.config import load_settings
    from coach.redact import install_log_masking
    from coach.server import LOOPBACK_HOSTS, api_token, create_app

    settings = load_settings()
    public = not is_loopback(host)
    app = create_app(settings, public=public, allowed_hosts=None if public else LOOPBACK_HOSTS)  # checks the token
    _logging()
    install_log_masking(logging.getLogger("uvicorn.error"))
    logging.getLogger("coach.server").info("coach serve: http://%s:%d/ (token %s)", host, port,
                                           "required" if api_token(settings, public=public) else "off")
    # access_log=False: uvicorn's access line holds the query string (GET /v1/retrieve?q=…); ours does not.
    # timeout_keep_alive: uvicorn's 5 s equals httpx's and many clients' own idle expiry, so a client could
    # reuse a connection at the instant the server closed it ("server disconnected without a response",
    # seen once in ~30k requests under 50-client load); the server now outlasts its clients.
    uvicorn.run(app, host=host, port=port, access_log=False, log_config=None, server_header=False,
                timeout_keep_alive=KEEP_ALIVE_SECONDS)
