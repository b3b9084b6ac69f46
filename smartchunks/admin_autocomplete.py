"""The admin's autocomplete widgets, minus a crash on a value that is not an id.

Django's AutocompleteSelect looks up the submitted ids to show them again when a refused form
is re-rendered, and a value its field cannot read ("x" posted for a section) raises ValueError
there: a 500 instead of the form's own "Select a valid choice" error.  These widgets leave
such values out of that lookup; the form still refuses them with its usual message.
"""

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple


class _ReadableIdsOnly:
    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name
        )
        return super().optgroups(name, [v for v in value if _readable(target, v)], attr)


def _readable(target, value) -> bool:
    try:
        target.get_prep_value(value)
    except (TypeError, ValueError):
        return False
    return True


class SafeAutocompleteSelect(_ReadableIdsOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_ReadableIdsOnly, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteMixin:
    """For a ModelAdmin with ``autocomplete_fields``: the widgets above in Django's stead."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
