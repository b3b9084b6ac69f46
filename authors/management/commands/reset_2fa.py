"""Remove a person's second factor, so they set up a new authenticator at their next sign-in.

For a lost phone (and lost recovery codes).  Their current sessions stop counting as
verified at once.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from authors.sign_in.two_factor import remove_second_factor


class Command(BaseCommand):
    help = (
        "Remove a person's two-factor devices (authenticator app and recovery codes); "
        "they set up a new one at their next sign-in."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the account's username")

    def handle(self, *args, username, **options):
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"No account with the username {username!r}; nothing changed.")
        removed = remove_second_factor(user)
        if not removed:
            self.stdout.write(f"{username} had no two-factor devices; nothing to remove.")
            return
        self.stdout.write(
            f"Removed {len(removed)} two-factor device{'s' if len(removed) != 1 else ''} "
            f"of {username} ({', '.join(removed)}). They will set up two-factor sign-in "
            "again at their next sign-in."
        )
