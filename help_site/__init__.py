"""The help site's features, for any builder that runs Python-Markdown extensions.

Per page, Markdown extensions listed under ``markdown_extensions:`` in ``mkdocs.yml``:
``claim_links`` (checked and pointed at the claim service), ``content_checks`` (editors'
mistakes, with file and line), ``vocabulary`` (the "also asked as" notes) and ``faq_schema``
(FAQ JSON-LD in the page). Across pages, the post-build step (``python -m help_site SITE``,
``postbuild.py``): duplicate questions, the templates' claim links, the search index and its
word list. ``page.py`` says which page a builder converts; ``record.py`` carries what the
extensions learn about a page to the post-build step.
"""
