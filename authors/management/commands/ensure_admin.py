"""Make sure an admin login exists, without a password in the repository.

Uses DJANGO_SUPERUSER_USERNAME (default "admin") and DJANGO_SUPERUSER_PASSWORD when set;
otherwise generates a password, prints it once and never stores it in plain text.
"""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the admin account if it does not exist yet (prints a generated password once)."

    def handle(self, *args, **options):
        User = get_user_model()
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME", "admin")
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        user = User.objects.filter(username=username).first()
        if user is not None and not (user.is_active and user.is_staff and user.is_superuser):
            # Never promote an existing account silently; say why the login will not work.
            self.stderr.write(
                f"{username} exists but is not an active superuser: fix it in the admin or "
                "with `manage.py changepassword`/`createsuperuser`, or set "
                "DJANGO_SUPERUSER_USERNAME to another name."
            )
            return
        if user is not None:
            if password:
                user.set_password(password)
                user.save(update_fields=["password"])
                self.stdout.write(
                    f"Admin login: {username} (password from DJANGO_SUPERUSER_PASSWORD)"
                )
            else:
                self.stdout.write(f"Admin login: {username} (password unchanged)")
            return
        generated = not password
        password = password or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"Created admin login  user: {username}  password: {password}\n"
                    "This password is shown once. Set DJANGO_SUPERUSER_PASSWORD to choose your own."
                )
            )
        else:
            self.stdout.write(
                f"Created admin login {username} (password from DJANGO_SUPERUSER_PASSWORD)"
            )
