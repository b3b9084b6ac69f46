"""Store the rendered page parts of every article whose stored parts are missing or were made
by older templates (articles/workflow/prerender.py), e.g. after bulk-loading articles or a
deploy that changed those templates: until then their pages render the parts per request."""

from django.core.management.base import BaseCommand
from django.db.models import Q

from articles.models import Article
from articles.workflow import prerender


class Command(BaseCommand):
    help = "Store the rendered page parts of articles that lack current ones."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Render every article again.")

    def handle(self, *args, **options):
        articles = Article.objects.order_by("pk")
        if not options["all"]:
            current = Q(rendered__format=prerender.current_format())
            articles = articles.exclude(current)
        count = 0
        for pk in articles.values_list("pk", flat=True).iterator():
            prerender.store_parts(pk)
            count += 1
        if options["verbosity"]:
            self.stdout.write(f"Stored the page parts of {count} articles.")
