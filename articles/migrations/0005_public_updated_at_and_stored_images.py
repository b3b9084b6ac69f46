import django.db.models.deletion
from django.db import migrations, models

import smartchunks.media.images


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_slug_help_text"),
        ("authors", "0002_stored_photo_keeps_its_size"),
    ]

    operations = [
        # The name says what it is: the "Updated …" time readers see, unlike auto_now fields.
        migrations.RenameField("article", "updated_at", "public_updated_at"),
        migrations.AlterField(
            model_name="article",
            name="public_updated_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Set when a live article is edited; readers see “Updated …” after this time.",
                null=True,
                verbose_name="updated (shown to readers)",
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="author",
            field=models.ForeignKey(
                help_text="The byline. Only active authors can be chosen.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="articles",
                to="authors.author",
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="hero_image",
            field=smartchunks.media.images.StoredImageField(
                blank=True,
                height_field="hero_height",
                upload_to=smartchunks.media.images.hero_upload_to,
                validators=[smartchunks.media.images.validate_image_file],
                width_field="hero_width",
            ),
        ),
    ]
