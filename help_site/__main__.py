"""``python -m help_site SITE_DIR``: finish a site MkDocs or Zensical has just built."""

import argparse
import sys
from pathlib import Path

from help_site.page import ContentError
from help_site.postbuild import finish


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m help_site",
        description=(
            "Finish the help site after MkDocs or Zensical built it: check that every page was "
            "built with our Markdown extensions and that no question is asked twice, point the "
            "templates' claim links at the claim service, and add the customers' words to the "
            "search index (and write search/words.json). Running it again changes nothing."
        ),
    )
    parser.add_argument("site", type=Path, help="the built site's directory, e.g. site/")
    args = parser.parse_args()
    try:
        finish(args.site)
    except ContentError as problems:
        sys.exit(f"The help site is not finished:\n{problems}")


if __name__ == "__main__":
    main()
