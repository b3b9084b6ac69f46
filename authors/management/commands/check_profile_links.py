"""List stored author profile links that break their site's rule; exit 1 when there are any.

Such links are never shown on the site, but stay in the database until someone corrects
them in the admin: this says who and what, so they are fixed rather than silently kept.
"""

from django.core.management.base import BaseCommand, CommandError

from authors.checks import bad_profile_links, describe


class Command(BaseCommand):
    help = (
        "List author profile links (LinkedIn, X, website) that break their field's rule; "
        "exits with status 1 when it finds any."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default", help="Database alias to check.")

    def handle(self, *args, database, **options):
        found = list(bad_profile_links(database))
        for author, name, value in found:
            self.stdout.write(describe(author, name, value))
        if found:
            raise CommandError(
                f"{len(found)} profile link(s) break their field's rule and are not shown on "
                "the site: correct them in the admin.",
                returncode=1,
            )
        self.stdout.write("Every stored profile link matches its site.")
