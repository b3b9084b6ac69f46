"""The newsroom roles (Writer, Editor, Admin) as groups with model permissions.

Model permissions say what a role may touch at all; articles/workflow/permissions.py narrows them per
article (a writer edits only their own drafts).  Migration articles/0003 creates the groups;
the post_migrate hook in apps.py re-creates any that are missing, e.g. after a database flush
(transactional tests) wiped the migration's rows.
"""

from django.contrib.auth.management import create_permissions

ROLE_NAMES = ("Writer", "Editor", "Admin")
CHILDREN = ("tldrbullet", "faqentry", "source", "correction")


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


def _ensure_permissions(apps):
    for app_config in apps.get_app_configs():
        had_models = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = had_models


def _in_this_state(apps, name: str) -> bool:
    """Whether the model a permission is about exists in ``apps``: a migration that ran before
    a model was added (0003 before the corrections of 0015) grants what exists then, and the
    later model's migration grants its own (``grant_model``)."""
    app_label, codename = name.split(".")
    try:
        apps.get_model(app_label, codename.rsplit("_", 1)[1])
    except LookupError:
        return False
    return True


def _permissions(apps, Permission, names):
    found = []
    for name in names:
        if not _in_this_state(apps, name):
            continue
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def grant_model(apps, model: str) -> None:
    """Add a later model's permissions to the existing groups, as the role lists say (Admin:
    all of them), leaving the groups' other permissions as they are."""
    Group = apps.get_model("auth", "Group")
    _ensure_permissions(apps)
    Permission = apps.get_model("auth", "Permission")
    every = [
        f"articles.{p.codename}"
        for p in Permission.objects.filter(
            content_type__app_label="articles", content_type__model=model
        )
    ]
    lists = {"Writer": WRITER, "Editor": EDITOR, "Admin": every}
    for name, names in lists.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            ours = [n for n in names if n.rsplit("_", 1)[1] == model]
            group.permissions.add(*_permissions(apps, Permission, ours))


def ensure_groups(apps, *, only_missing=False) -> None:
    """Create the three groups with their permissions (``apps``: a migration's or the real)."""
    Group = apps.get_model("auth", "Group")
    if only_missing and Group.objects.filter(name__in=ROLE_NAMES).count() == len(ROLE_NAMES):
        return
    _ensure_permissions(apps)
    Permission = apps.get_model("auth", "Permission")
    grants = {
        "Writer": _permissions(apps, Permission, WRITER),
        "Editor": _permissions(apps, Permission, EDITOR),
        "Admin": list(Permission.objects.all()),
    }
    for name, permissions in grants.items():
        group, created = Group.objects.get_or_create(name=name)
        if created or not only_missing:
            group.permissions.set(permissions)
