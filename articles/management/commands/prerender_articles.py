"""Store the rendered page parts of every article whose stored parts are missing or were made
by older templates (articles/workflow/prerender.py), e.g. after bulk-loading articles or a
deploy that changed those templates: until then their pages render the parts per request.

It also draws every share card that is missing (articles saved before cards, or whose
author or section was renamed since: the card shows their names), and stores the parts of
those articles again so their pages link to the new card."""

from django.core.management.base import BaseCommand
from django.db.models import Q

from articles.models import Article
from articles.workflow import prerender
from articles.workflow.media_record import record_cards
from articles.workflow.page_generation import public_pages_changed
from smartchunks.progress import track


class Command(BaseCommand):
    help = "Store the rendered page parts of articles that lack current ones, and draw missing share cards."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Render every article again.")

    def handle(self, *args, **options):
        articles = Article.objects.order_by("pk")
        stale = set(articles.values_list("pk", flat=True))
        if not options["all"]:
            current = Q(rendered__format=prerender.current_format())
            stale = set(articles.exclude(current).values_list("pk", flat=True))
        record_cards()
        drawn = prerender.make_missing_cards()
        stale.update(drawn)  # stored again, to link to the new card
        pages = track(
            sorted(stale), "prerender_articles", stream=self.stderr, verbosity=options["verbosity"]
        )
        for pk in pages:
            prerender.store_parts(pk)
        if drawn or stale:
            # Pages cached without these cards (drawn now, e.g. after the media bucket came
            # back) link them from now on, as after a save (prerender._store_with_renditions);
            # and none rendered from a frame stored before this run stays cached.
            public_pages_changed()
        if options["verbosity"]:
            self.stdout.write(
                f"Stored the page parts of {len(stale)} articles; drew {len(drawn)} share cards."
            )
