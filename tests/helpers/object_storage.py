"""An S3-compatible server for tests: moto's standalone server on a loopback port.

    with MotoServer() as server:
        bucket = server.new_bucket()
        settings.STORAGES = {..., "default": bucket.storage_settings()}

``bucket.environment()`` gives the variables that point another process (a front server,
an application server) at the same bucket.  The server speaks the S3 HTTP API as AWS does,
and refuses an anonymous GET of an object that has no public grant; it does not check
signatures (a signed URL with a wrong signature is served), which these tests never rely on.
"""

from __future__ import annotations

import logging
import socket
import threading
import uuid
from dataclasses import dataclass

import boto3
from moto.server import ThreadedMotoServer

ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"  # noqa: S105 (moto accepts any)
REGION = "us-east-1"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


@dataclass(frozen=True)
class Bucket:
    name: str
    endpoint: str
    prefix: str = ""

    def environment(self) -> dict[str, str]:
        env = {
            "SMARTCHUNKS_MEDIA_BUCKET": self.name,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_S3_REGION_NAME": REGION,
        }
        if self.prefix:
            env["SMARTCHUNKS_MEDIA_PREFIX"] = self.prefix
        return env

    def storage_settings(self, signed_url_seconds: int = 60) -> dict:
        """STORAGES["default"] exactly as the settings make it from ``environment()``."""
        from smartchunks.settings import media_bucket_storage

        return media_bucket_storage(self.environment(), signed_url_seconds)

    @property
    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def object_keys(self) -> set[str]:
        """Every object's key (the bucket, listed directly)."""
        paginator = self.client.get_paginator("list_objects_v2")
        return {
            entry["Key"]
            for page in paginator.paginate(Bucket=self.name)
            for entry in page.get("Contents", ())
        }

    def read(self, name: str) -> bytes:
        """The stored object of ``name`` (below the prefix), read with the owner's keys."""
        return self.client.get_object(Bucket=self.name, Key=self.key(name))["Body"].read()

    def public_grants(self, name: str) -> list[dict]:
        grants = self.client.get_object_acl(Bucket=self.name, Key=self.key(name))["Grants"]
        return [g for g in grants if g["Grantee"].get("URI") == ALL_USERS]

    def anonymous_url(self, name: str) -> str:
        """The object's plain address at the server: what someone without keys could try."""
        return f"{self.endpoint}/{self.name}/{self.key(name)}"


class MotoServer:
    """moto's S3 server in a thread of this process, on a free 127.0.0.1 port."""

    def __init__(self):
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.endpoint = ""

    def __enter__(self) -> MotoServer:
        # One log line per S3 request would bury a failing test's own output.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        return self

    def __exit__(self, *exc) -> None:
        self._server.stop()

    def new_bucket(self, *, prefix: str = "") -> Bucket:
        bucket = Bucket(f"media-{uuid.uuid4().hex[:16]}", self.endpoint, prefix)
        bucket.client.create_bucket(Bucket=bucket.name)
        return bucket


class OutageMotoServer:
    """A moto S3 server on its own port that a test can take down and bring back.

    ``go_down()`` closes its socket: every request is refused at once (the bucket's host is
    up, its service stopped).  ``hang()`` stops answering but keeps the socket listening, so
    the kernel still accepts connections that then get no reply, as a SIGSTOPped or
    overloaded server does: only the client's read timeout ends a request.  ``come_back()``
    serves again on the same port with the same buckets and objects, since moto keeps them
    in this process, not in the server (``empty()`` makes it a bucket that came back empty).
    """

    def __init__(self):
        self.endpoint = ""
        self._port = 0
        self._server = None
        self._thread = None
        self._hung = None

    def __enter__(self) -> OutageMotoServer:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.come_back()
        return self

    def __exit__(self, *exc) -> None:
        self.go_down()

    def come_back(self) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        self.go_down()
        app = DomainDispatcherApplication(create_backend_app)
        self._server = make_server(
            "127.0.0.1", self._port, app, threaded=True, request_handler=MotoRequestHandler
        )
        self._port = self._server.server_address[1]
        self.endpoint = f"http://127.0.0.1:{self._port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def hang(self) -> None:
        """Accept connections, answer nothing (until ``come_back()`` or ``go_down()``)."""
        self.go_down()
        # A socket that listens and never accepts: the kernel completes the handshake and
        # queues the connection, the request is never read, as with a SIGSTOPped server.
        self._hung = socket.create_server(("127.0.0.1", self._port), backlog=64)

    def go_down(self) -> None:
        """Refuse every connection."""
        if self._hung is not None:
            self._hung.close()
            self._hung = None
        if self._server is not None:
            self._server.shutdown()  # werkzeug closes the socket once it stops serving
            self._thread.join()
            self._server.server_close()
            self._server = self._thread = None

    def new_bucket(self) -> Bucket:
        bucket = Bucket(f"media-{uuid.uuid4().hex[:16]}", self.endpoint)
        bucket.client.create_bucket(Bucket=bucket.name)
        return bucket

    @staticmethod
    def empty(bucket: Bucket) -> None:
        """Every object of ``bucket`` deleted: a bucket restored without its media."""
        for key in bucket.object_keys():
            bucket.client.delete_object(Bucket=bucket.name, Key=key)
