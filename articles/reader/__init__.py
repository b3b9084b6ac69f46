"""Everything readers reach. Reads articles only through ``Article.objects.published()``;
``preview`` is the one documented exception (staff previews and share links)."""
