"""Web addresses editors type into the CMS: source links and author profile links."""

from urllib.parse import urlsplit

from django.contrib.admin.widgets import AdminURLFieldWidget
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.text import get_text_list

http_url_validator = URLValidator(
    schemes=["http", "https"], message="Enter a web address starting with http:// or https://."
)
_https_only = URLValidator(schemes=["https"])


class WebAddressField(models.URLField):
    """An http(s) address; a bare "fortune.com/story" typed in a form becomes https://.

    (https is Django 6's default for form URL fields, chosen here for Django 5.2.)
    """

    default_validators = [http_url_validator]

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


@deconstructible
class ProfileAddressValidator:
    """An https address on one of ``hosts`` exactly, or on any host when ``hosts`` is empty.

    "Exactly" is the point: the part between ``https://`` and the path must be one of the
    names, so a user name before the host (``https://www.linkedin.com@evil.example/`` goes to
    evil.example), a port, or a look-alike (``linkedin.com.evil.example``) is refused.
    """

    def __init__(self, site: str, hosts: tuple[str, ...] = ()):
        self.site = site
        self.hosts = tuple(hosts)

    @property
    def message(self) -> str:
        if not self.hosts:
            return "Enter a web address starting with https:// (for example https://example.org/)."
        starts = get_text_list([f"https://{host}/" for host in self.hosts], "or")
        return (
            f"Only {self.site} addresses are accepted here: start with {starts} "
            f"(for example https://{self.hosts[0]}/your-name). Other sites, a port, a user "
            "name before the site, or http:// are refused."
        )

    def accepts(self, value) -> bool:
        try:
            _https_only(value)
        except ValidationError:
            return False
        return not self.hosts or urlsplit(value).netloc.lower() in self.hosts

    def __call__(self, value):
        if not self.accepts(value):
            raise ValidationError(self.message, code="profile_address")

    def __eq__(self, other):
        return isinstance(other, ProfileAddressValidator) and (self.site, self.hosts) == (
            other.site,
            other.hosts,
        )


linkedin_address = ProfileAddressValidator("LinkedIn", ("www.linkedin.com", "linkedin.com"))
# x.com and twitter.com serve the same profiles; their www. names redirect there.
x_address = ProfileAddressValidator("X", ("x.com", "twitter.com", "www.x.com", "www.twitter.com"))
any_https_address = ProfileAddressValidator("website")


class ProfileLinkField(WebAddressField):
    """A link to a person's profile elsewhere, judged only by the validators it is given.

    The form shows that validator's message (naming the allowed sites) instead of Django's
    generic "Enter a valid URL." for an address that is no URL at all.
    """

    default_validators = []

    def formfield(self, **kwargs):
        field = super().formfield(**kwargs)
        field.validators = list(self.validators)
        if isinstance(field.widget, AdminURLFieldWidget):
            # The admin shows a stored address as a link ("Currently: …") when its widget's
            # validator passes it: let that be this field's rule, so a bad stored address is
            # shown as text to correct, never as a link to click.
            field.widget.validator = self.run_validators
        return field

    def accepts(self, value) -> bool:
        """Whether a stored value may be shown as a link (it passes this field's rules)."""
        try:
            self.run_validators(value)
        except ValidationError:
            return False
        return bool(value)
