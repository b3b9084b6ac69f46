"""Other databases on the test server (for tests that create and drop their own)."""

from collections.abc import Sequence
from urllib.parse import quote

import psycopg
from django.db import connection


def database_url(name: str) -> str:
    """The URL of database ``name`` on the server the tests use."""
    db = connection.settings_dict
    host = quote(db["HOST"] or "localhost", safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{db['USER']}@{host}{port}/{name}"


def on_server(sql: str, params: Sequence = ()) -> None:
    """Run ``sql`` outside any transaction (CREATE/DROP DATABASE), with bound ``params``."""
    with psycopg.connect(database_url("postgres"), autocommit=True) as server:
        server.execute(sql, params or None)
