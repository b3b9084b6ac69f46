"""A sequence every committed public change draws from (articles/workflow/page_generation.py).

With the generation record in Redis, the record carries the sequence's value it was worked
out at, and each process compares it with the database's twice a second: a record that
predates a committed change (Redis was unreachable when the change tried to renew it) is
dropped, whichever machine made the change and whatever became of that process.
"""

from django.db import migrations

SEQUENCE = "articles_public_change_seq"


class Migration(migrations.Migration):
    dependencies = [("articles", "0016_corrections")]

    operations = [
        migrations.RunSQL(
            f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}",
            reverse_sql=f"DROP SEQUENCE IF EXISTS {SEQUENCE}",
        )
    ]
