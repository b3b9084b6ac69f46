from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _restore_missing_roles(sender, apps=None, **kwargs):
    from django.apps import apps as global_apps

    from articles.workflow.roles import ensure_groups

    ensure_groups(apps or global_apps, only_missing=True)


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        # A flush (transactional tests) deletes the groups migration 0003 created.
        post_migrate.connect(_restore_missing_roles, sender=self)
        # Every write a public page shows makes the cached pages stale (smartchunks/page_cache.py).
        from articles.workflow import invalidation

        invalidation.connect()
        # A renamed author or section: their articles' share cards are drawn again.
        from articles.workflow import share_card_renewal

        share_card_renewal.connect()
        # A share link's short visitor session is a signed-in user's usual one after sign-in.
        from django.contrib.auth.signals import user_logged_in

        from articles.reader import preview

        user_logged_in.connect(preview.usual_session_length_after_sign_in)
