"""Listing indexes that answer Article.objects.published() on their own (issue 9, "Scale").

At 100,000 articles the tag and section pages grew past twice their cost at 1,000: their
capped counts and deep pages opened each article's row (those of one section or tag are
spread over the table) to check its status and expiry.  The public, section and author
indexes now carry status and expires_at, and a covering index on id serves the tag pages,
which reach articles from their tags' links: counts and page ids come from index-only scans.
The index of status alone goes: article_public_idx leads with status.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0010_rendered_article_frame"),
    ]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("in_review", "In review"),
                    ("published", "Published"),
                    ("unpublished", "Unpublished"),
                ],
                default="draft",
                help_text=(
                    "Visible to readers when status is Published and the publication time "
                    "has passed (and the expiry, if any, has not)."
                ),
                max_length=20,
            ),
        ),
        migrations.RemoveIndex(
            model_name="article",
            name="article_public_idx",
        ),
        migrations.RemoveIndex(
            model_name="article",
            name="article_section_pub_idx",
        ),
        migrations.RemoveIndex(
            model_name="article",
            name="article_author_pub_idx",
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["status", "-published_at", "-id"],
                include=("expires_at",),
                name="article_public_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["section", "status", "-published_at", "-id"],
                include=("expires_at",),
                name="article_section_pub_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["author", "status", "-published_at", "-id"],
                include=("expires_at",),
                name="article_author_pub_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["id"],
                include=("status", "published_at", "expires_at"),
                name="article_id_public_idx",
            ),
        ),
    ]
