"""Shared media code: storage, image checks and names, renditions, editor uploads, rich text.

The bottom layer: articles and authors import it; it imports neither (pyproject.toml,
import-linter).
"""
