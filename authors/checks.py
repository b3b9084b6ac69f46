"""Profile links stored before their site's rule existed are reported, not silently kept.

They are never shown (``Author.profile_links``); this finds them for ``manage.py
check_profile_links`` and for a system check that ``manage.py migrate`` (and
``manage.py check --database default``) prints, so whoever deploys the rule sees them.
"""

from django.core import checks
from django.db import DatabaseError
from django.db.models import Q

from authors.models import PROFILE_LINK_FIELDS, Author


def bad_profile_links(using: str = "default"):
    """(author, field name, stored address) for every link that breaks its field's rule."""
    filled = Q()
    for _label, name in PROFILE_LINK_FIELDS:
        filled |= ~Q(**{name: ""})
    for author in Author.objects.using(using).filter(filled).order_by("name", "pk"):
        for name, value in author.bad_profile_links():
            yield author, name, value


def describe_link(author, name, value) -> str:
    """ "LinkedIn URL 'https://evil.example/' (edit at /admin/authors/author/7/change/)"."""
    field = Author._meta.get_field(name)
    return f"{field.verbose_name} {value!r} (edit at /admin/authors/author/{author.pk}/change/)"


def describe(author, name, value) -> str:
    return f"{author.name} (author id {author.pk}): {describe_link(author, name, value)}"


@checks.register(checks.Tags.database)
def profile_links_match_their_site(app_configs=None, databases=None, **kwargs):
    found = []
    for alias in databases or ():
        try:
            found += list(bad_profile_links(alias))
        except DatabaseError:
            # Before the first migrate there is no author table, so nothing to judge.
            continue
    return [
        checks.Warning(
            f"{describe_link(author, name, value)} breaks its field's rule, so the site does "
            "not show it.",
            hint="Correct it in the admin (the form says which addresses are accepted); "
            "`manage.py check_profile_links` lists them all.",
            obj=author,
            id="authors.W001",
        )
        for author, name, value in found
    ]
