"""The newsroom roles as groups: Writer, Editor, Admin.

Model permissions say what a role may touch at all; articles/permissions.py narrows them
per article (a writer edits only their own drafts).  Permissions are created here first,
because on a fresh database Django only creates them after all migrations have run.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CHILDREN = ["tldrbullet", "faqentry", "source"]


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
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def _permissions(apps, names):
    Permission = apps.get_model("auth", "Permission")
    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def create_groups(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get_or_create(name="Writer")[0].permissions.set(_permissions(apps, WRITER))
    Group.objects.get_or_create(name="Editor")[0].permissions.set(_permissions(apps, EDITOR))
    Group.objects.get_or_create(name="Admin")[0].permissions.set(Permission.objects.all())


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Writer", "Editor", "Admin"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_workflow_models"),
        ("authors", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("sessions", "0001_initial"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
