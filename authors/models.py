from django.conf import settings
from django.db import models

from smartchunks.media.images import (
    StoredImageField,
    author_photo_upload_to,
    validate_image_file,
)
from smartchunks.media.richtext import CleanRichTextField
from smartchunks.media.web_addresses import (
    ProfileLinkField,
    any_https_address,
    linkedin_address,
    x_address,
)
from smartchunks.quick_urls import quick_reverse

# The label readers see next to each profile link, and the field that holds it.
PROFILE_LINK_FIELDS = (("LinkedIn", "linkedin_url"), ("X", "x_url"), ("Website", "website_url"))


class AuthorQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Author(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True, help_text="Used in the author page URL.")
    photo = StoredImageField(
        upload_to=author_photo_upload_to,
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
        validators=[validate_image_file],
        help_text="Square works best; shown at 96×96 in the author box.",
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    job_title = models.CharField(max_length=120, blank=True, help_text="e.g. Technology editor")
    experience = models.CharField(
        max_length=120, blank=True, help_text="e.g. 12+ years in editorial"
    )
    bio = CleanRichTextField(config_name="simple", blank=True)
    linkedin_url = ProfileLinkField(
        "LinkedIn URL",
        blank=True,
        validators=[linkedin_address],
        help_text="https://www.linkedin.com/… or https://linkedin.com/…",
    )
    x_url = ProfileLinkField(
        "X URL",
        blank=True,
        validators=[x_address],
        help_text="https://x.com/… or https://twitter.com/…",
    )
    website_url = ProfileLinkField(
        "Website", blank=True, validators=[any_https_address], help_text="Any https:// address."
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text="The login account that writes as this author, if any.",
    )
    is_active = models.BooleanField(
        default=True, help_text="Inactive authors keep their articles but cannot be bylined."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return quick_reverse("articles:author", slug=self.slug)

    @property
    def title_line(self) -> str:
        """ "Technology editor · 12+ years in editorial"."""
        return " · ".join(part for part in (self.job_title, self.experience) if part)

    @property
    def profile_links(self) -> list[tuple[str, str]]:
        """(label, address) of each link that passes its field's rule, for pages and JSON-LD.

        A stored address that breaks the rule (saved before it existed, or written past the
        form) is never shown; ``manage.py check_profile_links`` reports it.
        """
        return [
            (label, getattr(self, name))
            for label, name in PROFILE_LINK_FIELDS
            if self._meta.get_field(name).accepts(getattr(self, name))
        ]

    def bad_profile_links(self) -> list[tuple[str, str]]:
        """(field name, stored address) of each filled-in link that breaks its field's rule."""
        return [
            (name, getattr(self, name))
            for _label, name in PROFILE_LINK_FIELDS
            if getattr(self, name) and not self._meta.get_field(name).accepts(getattr(self, name))
        ]
