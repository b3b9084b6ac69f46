from django.db import migrations

# The article page's related articles walk each of its tags newest first, a bounded number
# of rows (articles/reader/article_page.py, SHARING_TAGS).  The tag links are Django's
# own many-to-many table, so the index is made in SQL.
INDEX = "articles_article_tags_tag_newest"


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_listing_indexes_cover_published"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON articles_article_tags (tag_id, article_id DESC)",
            f"DROP INDEX {INDEX}",
        ),
    ]
