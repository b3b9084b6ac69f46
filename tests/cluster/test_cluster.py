"""Two application servers on one PostgreSQL primary + streaming replica, one Redis and one
S3 bucket (tests/helpers/cluster.py): what a reader and an editor see through either server.

The editor works in the admin of node A only; readers ask node B (and A), anonymously, as a
load balancer would send them anywhere.  Each check has articles of its own (the harness's
SEED); the checks that stop a service start it again before they end.
"""

from __future__ import annotations

import io
import threading
import time
from urllib.parse import urljoin

import pytest
from PIL import Image

from tests.helpers.cluster import BUCKET, anonymous_get, wait_until_replayed
from tests.helpers.html import parse_html

pytestmark = pytest.mark.cluster

HIT = "hit"
# Enough requests that each of a node's two gunicorn workers answers some.
ROUNDS = 6


def _article_row(cluster, pk: int) -> tuple[str, str]:
    """(status, hero image name) of the article, as the primary has it."""
    with cluster.primary.connect("smartchunks") as db:
        return db.execute(
            "SELECT status, hero_image FROM articles_article WHERE id = %s", [pk]
        ).fetchone()


def _cached_on(node, path: str):
    """Ask ``node`` for ``path`` until its page cache answers (a second worker may have to
    fetch it from the shared store first); the reply that was a hit."""
    replies = []
    for _ in range(ROUNDS):
        reply = node.get(path)
        replies.append((reply.status, reply.header("X-Page-Cache")))
        if reply.status == 200 and reply.header("X-Page-Cache") == HIT:
            return reply
    pytest.fail(f"{node.name} never answered {path} from its page cache: {replies}")


def _shows(reply, text: str) -> bool:
    return text in reply.text


def _done(reply) -> None:
    """The admin took the form and redirected (a failure's traceback is in the node's output)."""
    assert reply.status == 302, f"the admin answered {reply.status}, not a redirect"


def _public_grants(acl: dict) -> list[dict]:
    """The grants of an S3 ACL to everyone or to any AWS account."""
    return [
        grant
        for grant in acl.get("Grants", [])
        if grant.get("Grantee", {}).get("URI", "").endswith(("/AllUsers", "/AuthenticatedUsers"))
    ]


def _png(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 360), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _stored_on_disk(node, name: str) -> list[str]:
    file_name = name.rsplit("/", 1)[-1]
    return [str(path) for path in node.media_root.rglob(f"{file_name}*")]


# --- Publication reaches every server at once --------------------------------------------


def test_a_publish_through_a_is_visible_through_b_at_once(cluster, node_b, editor_on_a):
    article = cluster.seeded["to_publish"]
    assert node_b.get(article["url"]).status == 404
    assert not _shows(_cached_on(node_b, "/"), article["title"])

    reply = editor_on_a.change(article["pk"], "_publish")
    _done(reply)
    assert _article_row(cluster, article["pk"])[0] == "published"

    page = node_b.get(article["url"])
    assert page.status == 200, f"B answers {page.status} for the article just published"
    assert _shows(page, article["title"])
    assert _shows(node_b.get("/"), article["title"]), "B's cached front page is out of date"


def test_an_unpublish_through_a_is_gone_from_b_at_once_cache_included(
    cluster, node_a, node_b, editor_on_a
):
    article = cluster.seeded["to_unpublish"]
    assert _shows(_cached_on(node_b, article["url"]), article["title"])
    assert _shows(_cached_on(node_b, "/"), article["title"])

    reply = editor_on_a.change(article["pk"], "_unpublish")
    _done(reply)
    assert _article_row(cluster, article["pk"])[0] == "unpublished"

    for _ in range(ROUNDS):  # every worker of B, and A too
        for node in (node_b, node_a):
            gone = node.get(article["url"])
            assert gone.status == 404, f"{node.name} still serves the unpublished article"
            assert not _shows(node.get("/"), article["title"]), f"{node.name}'s front page"


# --- Reads on the replica ----------------------------------------------------------------


def _article_table_scans(server) -> int:
    """How many times ``articles_article`` was scanned on ``server`` (its own statistics)."""
    with server.connect("smartchunks") as db:
        db.execute("SELECT pg_stat_clear_snapshot()")
        (scans,) = db.execute(
            "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables"
            " WHERE relname = 'articles_article'"
        ).fetchone()
    return scans


def _app_connections(server) -> int:
    with server.connect() as db:
        (count,) = db.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = 'smartchunks' AND backend_type = 'client backend'"
        ).fetchone()
    return count


def test_anonymous_reads_are_answered_from_the_replica(cluster, node_a, node_b):
    before = _article_table_scans(cluster.replica)
    # Search pages are never cached: each one reads the articles from the database.
    for number in range(10):
        for node in (node_a, node_b):
            assert node.get(f"/search/?q=quartz+{number}").status == 200
    assert _app_connections(cluster.replica) > 0, "no application connection on the replica"
    # A backend reports its statistics when idle, at most about 10 s late.
    deadline = time.monotonic() + 20
    while _article_table_scans(cluster.replica) == before:
        assert time.monotonic() < deadline, "the replica never scanned the articles table"
        time.sleep(0.5)


def _replica_status(cluster, pk: int) -> str:
    with cluster.replica.connect("smartchunks") as db:
        return db.execute("SELECT status FROM articles_article WHERE id = %s", [pk]).fetchone()[0]


def test_a_lagging_replica_never_undoes_an_unpublish_nor_hides_a_publish(
    cluster, node_a, node_b, editor_on_a
):
    gone, new = cluster.seeded["lag_unpublish"], cluster.seeded["lag_publish"]
    for node in (node_a, node_b):
        _cached_on(node, gone["url"])
    with cluster.replica.connect() as db:
        db.execute("SELECT pg_wal_replay_pause()")
    try:
        _done(editor_on_a.change(gone["pk"], "_unpublish"))
        _done(editor_on_a.change(new["pk"], "_publish"))
        # The replica has not seen either step: it would show the one and hide the other.
        assert _replica_status(cluster, gone["pk"]) == "published"
        assert _replica_status(cluster, new["pk"]) == "draft"
        for _ in range(ROUNDS):
            for node in (node_a, node_b):
                assert node.get(gone["url"]).status == 404, f"{node.name} undid the unpublish"
                assert node.get(new["url"]).status == 200, f"{node.name} hides the publish"
                listing = node.get("/search/?q=quartz")
                assert not _shows(listing, gone["title"]), f"{node.name}'s search"
                assert _shows(listing, new["title"]), f"{node.name}'s search"
    finally:
        with cluster.replica.connect() as db:
            db.execute("SELECT pg_wal_replay_resume()")
    wait_until_replayed(cluster.primary, cluster.replica)
    for node in (node_a, node_b):
        assert node.get(gone["url"]).status == 404
        assert node.get(new["url"]).status == 200


def test_stopping_the_replica_degrades_reads_to_the_primary_without_errors(cluster, node_a, node_b):
    article = cluster.seeded["reading"]
    paths = ["/", article["url"], "/search/?q=ochre", "/search/?q=quartz"]
    seen: list[tuple[str, str, int | str]] = []
    stop = threading.Event()

    def read() -> None:
        round_number = 0
        while not stop.is_set():
            round_number += 1
            for node in (node_a, node_b):
                for path in paths:
                    path = path + (f"+{round_number}" if "search" in path else "")
                    try:
                        seen.append((node.name, path, node.get(path).status))
                    except OSError as error:
                        seen.append((node.name, path, repr(error)))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        time.sleep(1)
        assert _app_connections(cluster.replica) > 0, "the nodes do not read from the replica"
        cluster.replica.stop()
        assert not cluster.replica.is_ready()
        stopped_at = len(seen)
        time.sleep(6)  # reads go on with the replica gone
        stop.set()
        reader.join(timeout=60)
        after_stop = seen[stopped_at:]
        assert len(after_stop) >= 8, "too few reads after the stop to prove anything"
        failed = [entry for entry in seen if entry[2] != 200]
        assert not failed, failed[:10]
        assert _shows(node_b.get(article["url"]), article["title"])
    finally:
        stop.set()
        reader.join(timeout=60)
        cluster.restart_replica()
    # Back: the nodes read from the replica again by themselves, without an error meanwhile.
    deadline = time.monotonic() + 30
    while _app_connections(cluster.replica) == 0:
        assert time.monotonic() < deadline, "the nodes did not go back to the replica"
        for node in (node_a, node_b):
            assert node.get("/search/?q=quartz+again").status == 200
        time.sleep(0.5)


# --- Redis going away ----------------------------------------------------------------------


def test_stopping_redis_degrades_to_no_cache_and_an_unpublish_meanwhile_holds(
    cluster, node_a, node_b, editor_on_a
):
    article = cluster.seeded["redis_outage"]
    for node in (node_a, node_b):
        _cached_on(node, article["url"])
    cluster.redis.stop()
    try:
        replies = []
        for _ in range(ROUNDS):
            for node in (node_a, node_b):
                for path in ("/", article["url"], "/search/?q=russet"):
                    reply = node.get(path)
                    replies.append((node.name, path, reply.status, reply.header("X-Page-Cache")))
        assert all(status == 200 for _, _, status, _ in replies), replies
        assert not [r for r in replies if r[3] == HIT], (
            "a page came from a cache while Redis was down"
        )

        reply = editor_on_a.change(article["pk"], "_unpublish")
        _done(reply)
        assert _article_row(cluster, article["pk"])[0] == "unpublished"
        for node in (node_a, node_b):
            assert node.get(article["url"]).status == 404
    finally:
        cluster.restart_redis()  # empty, as after a restart without persistence
    for _ in range(ROUNDS):
        for node in (node_a, node_b):
            reply = node.get(article["url"])
            assert reply.status == 404, f"{node.name} served the unpublished article again"
            assert not _shows(node.get("/"), article["title"]), f"{node.name}'s front page"
    # And the cache comes back by itself (a worker leaves the store alone for a few seconds
    # after a failure).
    deadline = time.monotonic() + 30
    while node_b.get("/").header("X-Page-Cache") != HIT:
        assert time.monotonic() < deadline, "B's page cache did not come back after Redis did"
        time.sleep(0.5)


# --- Media in object storage -------------------------------------------------------------


def _image_urls(page_html: str, token: str, base_url: str) -> list[str]:
    """Every image URL on the page (src and srcset) whose name holds ``token``."""
    soup = parse_html(page_html)
    found = []
    for tag in soup.find_all(["img", "source"]):
        candidates = [tag.get("src", "")]
        candidates += [part.split()[0] for part in tag.get("srcset", "").split(",") if part.strip()]
        found += [urljoin(base_url, url) for url in candidates if url and token in url]
    return sorted(set(found))


def test_an_image_uploaded_through_a_is_served_through_b_once_published(
    cluster, node_a, node_b, editor_on_a
):
    article = cluster.seeded["upload"]
    reply = editor_on_a.change(
        article["pk"],
        "_publish",
        files={"hero_image": ("cluster-upload.png", _png("darkorange"), "image/png")},
        hero_alt="An orange field",
    )
    _done(reply)
    status, hero = _article_row(cluster, article["pk"])
    assert status == "published"
    assert hero != article["hero"], "the upload did not replace the hero image"
    token = hero.rsplit("/", 1)[-1].split(".")[0]

    page = node_b.get(article["url"])
    assert page.status == 200
    urls = _image_urls(page.text, token, node_b.url)
    assert urls, "B's page does not show the uploaded image"
    for url in urls:
        image = anonymous_get(url)
        assert image.status == 200, (url, image.status)
        assert image.header("Content-Type").startswith("image/"), url
        Image.open(io.BytesIO(image.body)).verify()

    assert [key for key in cluster.s3.object_keys() if key.endswith(hero)], (
        "the upload is not in the bucket"
    )
    on_disk = _stored_on_disk(node_a, hero) + _stored_on_disk(node_b, hero)
    assert not on_disk, f"the upload is on a node's own disk: {on_disk}"


def test_a_drafts_image_is_not_public_on_either_node_nor_in_the_bucket(
    cluster, node_a, node_b, editor_on_a
):
    article = cluster.seeded["secret"]
    reply = editor_on_a.change(
        article["pk"],
        None,  # "Save and continue editing": it stays a draft
        files={"hero_image": ("secret-upload.png", _png("purple"), "image/png")},
    )
    _done(reply)
    status, hero = _article_row(cluster, article["pk"])
    assert status == "draft"
    assert hero != article["hero"], "the upload did not replace the hero image"

    s3 = cluster.s3.client()
    keys = cluster.s3.object_keys()
    assert [key for key in keys if key.endswith(hero)], "the upload is not in the bucket"
    # The replaced hero may have been kept (revisions show it) or removed; either way it and
    # the new one, and any rendition of them, are private.
    for name in (hero, article["hero"]):
        for node in (node_a, node_b):
            assert node.get(f"/media/{name}").status == 404, f"{node.name} serves {name}"
        token = name.rsplit("/", 1)[-1].split(".")[0]
        # moto answers an unsigned request by the object's ACL, as S3 does: 403 when private.
        for key in [key for key in keys if token in key]:
            unsigned = anonymous_get(f"{cluster.s3.endpoint}/{BUCKET}/{key}")
            assert unsigned.status == 403, (key, unsigned.status)
            assert not _public_grants(s3.get_object_acl(Bucket=BUCKET, Key=key)), key
    # moto lists any bucket to an unsigned request (S3 refuses a private bucket), so the
    # bucket's own grants are what shows that the names of drafts' images are not public.
    assert not _public_grants(s3.get_bucket_acl(Bucket=BUCKET))
    for node in (node_a, node_b):
        assert node.get(article["url"]).status == 404
        assert not _shows(node.get("/search/?q=sable"), article["title"]), "a draft in search"
