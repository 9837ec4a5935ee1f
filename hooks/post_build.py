"""MkDocs runs the post-build step itself, after every build.

Only MkDocs needs this: it runs hooks, and `mkdocs serve` (the editors' preview) builds
without `make`, so without it the preview would lack the search words and the templates'
claim links. Zensical ignores hooks; after it, `make` runs ``python -m help_site site/``
(and after MkDocs too, which changes nothing more).
"""

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

from help_site.page import ContentError
from help_site.postbuild import finish


def on_post_build(*, config: MkDocsConfig) -> None:
    """Finish the site just built, or stop the build with every problem found."""
    try:
        finish(Path(config.site_dir))
    except ContentError as problems:
        raise PluginError(str(problems)) from None
