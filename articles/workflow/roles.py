"""The newsroom roles (Writer, Editor, Admin) as groups with model permissions.

Model permissions say what a role may touch at all; articles/workflow/permissions.py narrows them per
article (a writer edits only their own drafts).  Migration articles/0003 creates the groups;
the post_migrate hook in apps.py re-creates any that are missing, e.g. after a database flush
(transactional tests) wiped the migration's rows.
"""

from django.contrib.auth.management import create_permissions

ROLE_NAMES = ("Writer", "Editor", "Admin")
CHILDREN = ("tldrbullet", "faqentry", "source")


def _crud(app, model, actions=("add", "change", "delete", "view")):
    return [f"{app}.{action}_{model}" for action in actions]


WRITER = [
    *_crud("articles", "article"),
    *[perm for child in CHILDREN for perm in _crud("articles", child)],
    "articles.view_section",
    "articles.view_tag",
    "authors.view_author",
    "authors.change_author",
]
EDITOR = [
    *WRITER,
    "articles.publish_article",
    "articles.edit_any_article",
    *_crud("articles", "section"),
    *_crud("articles", "tag"),
    *_crud("articles", "sharelink"),
]
# Site pages (About, Editorial standards) came after migration 0003 made the groups: granted
# by migration 0015, and by ``ensure_groups`` once the model exists in ``apps``.
SITE_PAGES = _crud("articles", "sitepage")
# Corrections came after 0003 too: writers propose them (staged on their live article) and
# editors publish them; granted by the corrections' migration, and by ``ensure_groups`` once
# the model exists in ``apps``.
CORRECTIONS = _crud("articles", "correction")


def _ensure_permissions(apps):
    for app_config in apps.get_app_configs():
        had_models = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = had_models


def _permissions(Permission, names):
    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def _has_model(apps, app_label, model_name) -> bool:
    try:
        apps.get_model(app_label, model_name)
    except LookupError:
        return False
    return True


def grant_site_pages(apps) -> None:
    """Editors and Admins may add, change and delete site pages (migration 0015): added to
    the groups as they are, so permissions an admin changed by hand stay."""
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = _permissions(Permission, SITE_PAGES)
    for group in Group.objects.filter(name__in=("Editor", "Admin")):
        group.permissions.add(*permissions)


def ensure_groups(apps, *, only_missing=False) -> None:
    """Create the three groups with their permissions (``apps``: a migration's or the real)."""
    Group = apps.get_model("auth", "Group")
    if only_missing and Group.objects.filter(name__in=ROLE_NAMES).count() == len(ROLE_NAMES):
        return
    _ensure_permissions(apps)
    Permission = apps.get_model("auth", "Permission")
    site_pages = SITE_PAGES if _has_model(apps, "articles", "sitepage") else []
    corrections = CORRECTIONS if _has_model(apps, "articles", "correction") else []
    grants = {
        "Writer": _permissions(Permission, [*WRITER, *corrections]),
        "Editor": _permissions(Permission, [*EDITOR, *site_pages, *corrections]),
        "Admin": list(Permission.objects.all()),
    }
    for name, permissions in grants.items():
        group, created = Group.objects.get_or_create(name=name)
        if created or not only_missing:
            group.permissions.set(permissions)


def grant_corrections(apps) -> None:
    """Writers and Editors may add, change and delete corrections (migration 0016), Admins
    too: added to the groups as they are, so permissions an admin changed by hand stay."""
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = _permissions(Permission, CORRECTIONS)
    for group in Group.objects.filter(name__in=ROLE_NAMES):
        group.permissions.add(*permissions)
