from django.apps import AppConfig


class AuthorsConfig(AppConfig):
    name = "authors"
    verbose_name = "Authors"

    def ready(self):
        # Registers the system check that reports stored profile links breaking their rule.
        from authors import checks  # noqa: F401
