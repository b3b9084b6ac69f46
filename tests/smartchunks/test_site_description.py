"""The site's one-line description is one setting, used by pages, share cards and feeds."""

import pytest

pytestmark = pytest.mark.django_db


def test_site_description_setting_reaches_pages_and_feeds(client, settings):
    settings.SITE_DESCRIPTION = "Explainers about everything, briefly."
    home = client.get("/").content.decode()
    assert '<meta name="description" content="Explainers about everything, briefly.">' in home
    assert 'og:description" content="Explainers about everything, briefly."' in home
    feed = client.get("/feeds/rss/").content.decode()
    assert "<description>Explainers about everything, briefly.</description>" in feed
