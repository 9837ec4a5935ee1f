"""An editor who does what CONTRIBUTING.md says keeps the suite green: a new topic page, a new
question and a second claim button, added to a copy of the project exactly as the guide
describes, pass the site, search and site-browser suites run against that copy."""

import os
import subprocess
import sys

from tests.site.content import PROJECT, read_content
from tests.support import ROOT
from tests.support.site import copy_project

SUITES = ["tests/site", "tests/search", "tests/e2e/test_site_browser.py"]

TOPIC_PAGE = """---
description: Paying with a gift card, and what happens to what is left on it.
---

# Gift cards

## Can I pay with a gift card?

<!-- also asked as:
     gift voucher, voucher, gift certificate, present card, redeem, remaining balance -->

Gift cards are accepted at checkout.
"""

CARD = """
-   :material-gift-outline:{ .lg .middle } __[Gift cards](gift-cards.md)__

    ---

    Paying with a gift card.

</div>
"""

QUESTION = """
## Can I pay in another currency?

<!-- also asked as:
     currency, euros, dollars, pounds, exchange rate, conversion -->

Prices are shown in the shop's currency.

{button}
"""


def add_as_the_guide_says(project) -> None:
    """ "Add a topic page" and "Add a question", step by step, in the project at `project`."""
    docs = project / "docs"
    (docs / "gift-cards.md").write_text(TOPIC_PAGE, encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").rstrip("\n") + "\n  - Gift cards: gift-cards.md\n",
        encoding="utf-8",
    )
    home = docs / "index.md"
    home.write_text(home.read_text(encoding="utf-8").replace("\n</div>\n", CARD, 1))
    page = read_content().faq_pages[0]
    topic = project / page.source.relative_to(PROJECT)
    # Under it, a second button like one the page has already ("Link to the claim form").
    link = (page.claim_links or read_content().claim_links)[0]
    button = f"[{link.text}]({link.target}){{ .md-button }}"
    topic.write_text(
        topic.read_text(encoding="utf-8") + QUESTION.format(button=button), encoding="utf-8"
    )


def test_a_new_topic_page_and_question_pass_the_site_and_search_suites(tmp_path):
    project = copy_project(tmp_path / "project")
    add_as_the_guide_says(project)
    content = read_content(project)
    assert "Gift cards" in content.topics
    assert {"Can I pay with a gift card?", "Can I pay in another currency?"} <= {
        question.text for question in content.questions
    }

    result = subprocess.run(
        [sys.executable, "-m", "pytest", *SUITES, "-q", "-p", "no:cacheprovider"]
        + ["--ignore", str(ROOT / "tests" / "site" / "test_editor_changes.py")]
        # The second builder's checks read the same content model; the main run has them.
        + ["--ignore", str(ROOT / "tests" / "site" / "test_builders.py")],
        cwd=ROOT,
        env={**os.environ, "HELP_SITE_PROJECT": str(project)},
        capture_output=True,
        text=True,
        timeout=900,
    )

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    # Questions without customer queries yet are fine; the hit-rate report names them.
    assert "no query in tests/search/queries.toml yet for 'Can I pay with a gift card?'" in (
        result.stdout
    )
