"""Web addresses editors type into the CMS: source links and author profile links."""

from django.core.validators import URLValidator
from django.db import models

http_url_validator = URLValidator(
    schemes=["http", "https"], message="Enter a web address starting with http:// or https://."
)


class WebAddressField(models.URLField):
    """An http(s) address; a bare "fortune.com/story" typed in a form becomes https://.

    (https is Django 6's default for form URL fields, chosen here for Django 5.2.)
    """

    default_validators = [http_url_validator]

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})
