"""Fixtures of the room's tests: a stand-in Jitsi server and a token-issuing mode.

The real Jitsi server is never reachable in tests. `jitsi_standin` serves
jitsi_standin/external_api.js (which records what the page passes to
JitsiMeetExternalAPI) from a local HTTP server and points the Jitsi settings at it.
"""

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

STANDIN_DIR = Path(__file__).parent / "jitsi_standin"
TEST_APP_ID = "campus-test"
TEST_APP_SECRET = "test-secret-for-campus-jitsi-tokens-0123456789"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def jitsi_standin(settings: Any) -> Iterator[str]:
    """Serve the stand-in external_api.js on 127.0.0.1:<free port>; yields its URL."""
    handler = functools.partial(_QuietHandler, directory=str(STANDIN_DIR))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    settings.JITSI_SERVER_URL = url
    settings.JITSI_DOMAIN = f"127.0.0.1:{port}"
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def jitsi_selfhosted(settings: Any) -> dict[str, str]:
    """Self-hosted mode with a test app id and secret, so joins get HS256 JWTs."""
    settings.JITSI_MODE = "selfhosted"
    settings.JITSI_APP_ID = TEST_APP_ID
    settings.JITSI_APP_SECRET = TEST_APP_SECRET
    return {"app_id": TEST_APP_ID, "secret": TEST_APP_SECRET, "audience": settings.JITSI_AUDIENCE}
