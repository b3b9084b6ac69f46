"""HTTPS settings: a reader's own X-Forwarded-Proto is believed only behind our proxy, and
HSTS lasts a year.

The issue's run: with DJANGO_HTTPS on and no proxy configured, any client sending
``X-Forwarded-Proto: https`` flipped the canonical, feed and sitemap links of cacheable pages.
Settings are read in a fresh interpreter under each environment, as gunicorn would.
"""

import json

import pytest

from tests.factories import make_article
from tests.helpers.fresh_settings import in_fresh_interpreter

SHOW = (
    "import json, smartchunks.settings as s; print(json.dumps({"
    "'proxy_ssl_header': getattr(s, 'SECURE_PROXY_SSL_HEADER', None),"
    "'hsts_seconds': getattr(s, 'SECURE_HSTS_SECONDS', 0),"
    "'hsts_subdomains': getattr(s, 'SECURE_HSTS_INCLUDE_SUBDOMAINS', False)}))"
)


def settings_under(**env) -> dict:
    result = in_fresh_interpreter(SHOW, env={"DJANGO_SSL_REDIRECT": "false", **env})
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_a_proxy_the_forwarded_proto_header_is_not_trusted():
    assert settings_under(DJANGO_HTTPS="true")["proxy_ssl_header"] is None


def test_behind_a_proxy_its_forwarded_proto_header_is_trusted():
    found = settings_under(DJANGO_HTTPS="true", DJANGO_TRUSTED_PROXY_COUNT="1")
    assert found["proxy_ssl_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.django_db
def test_a_readers_forwarded_proto_does_not_change_the_canonical_link(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = settings_under(DJANGO_HTTPS="true")["proxy_ssl_header"]
    article = make_article()

    response = client.get(article.get_absolute_url(), HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 200
    canonical = f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">'
    assert canonical in response.content.decode()


def test_hsts_lasts_a_year_with_the_sites_subdomains_unless_told_not_to():
    default = settings_under(DJANGO_HTTPS="true")
    assert default["hsts_seconds"] == 31536000
    assert default["hsts_subdomains"] is True
    assert (
        settings_under(DJANGO_HTTPS="true", DJANGO_HSTS_INCLUDE_SUBDOMAINS="false")[
            "hsts_subdomains"
        ]
        is False
    )
