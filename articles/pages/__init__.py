"""How an article's page is made, shared by the workflow, which renders the parts that only the
article and its own rows decide when it is saved (articles/workflow/prerender.py), and the
reader, which shows them (articles/reader/article_page.py)."""
