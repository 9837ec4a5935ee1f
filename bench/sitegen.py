"""A generated help site with as many questions as asked, written the way our pages are.

Product lines become topic pages; each product gets a few after-purchase questions, each
with an answer and the words customers use for it ("also asked as"). The same seed always
gives the same site, so two builds of it compare like with like. Most of its length is the
word lists it writes from; the code that uses them is short.
"""

import pydoc_data.topics
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

QUESTIONS_PER_PAGE = 40
QUESTIONS_PER_PRODUCT = 5

BRANDS = (
    "Aurora",
    "Brightline",
    "Cobalt",
    "Dune",
    "Ember",
    "Fjord",
    "Granite",
    "Halcyon",
    "Indigo",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orchard",
    "Pioneer",
    "Quarry",
    "Rivet",
    "Summit",
    "Tundra",
    "Umber",
    "Vesper",
    "Willow",
    "Zephyr",
)
PRODUCTS = (
    "kettle",
    "toaster",
    "blender",
    "kitchen scale",
    "coffee grinder",
    "stand mixer",
    "air fryer",
    "rice cooker",
    "vacuum cleaner",
    "desk lamp",
    "office chair",
    "bookshelf",
    "backpack",
    "suitcase",
    "rain jacket",
    "hiking boot",
    "headphone",
    "speaker",
    "smartwatch",
    "phone case",
    "tablet stand",
    "keyboard",
    "monitor arm",
    "baby monitor",
    "bike helmet",
    "yoga mat",
)


@dataclass(frozen=True)
class Kind:
    """One kind of after-purchase question: how it is asked, answered, and said by customers."""

    questions: tuple[str, ...]
    answers: tuple[str, ...]
    asked_as: tuple[str, ...]


KINDS = (
    Kind(
        questions=(
            "What should I do if my {p} arrives damaged?",
            "My {p} was damaged in delivery. What now?",
        ),
        answers=(
            "Please contact us with clear photos of the {p} and of its packaging.",
            "Keep the packaging until your case is closed, as the carrier may ask to see it.",
            "Include your order reference so we can find the shipment quickly.",
            "Once verified, we will arrange an appropriate resolution for the {p}.",
            "Damage reported within the review period is assessed case by case.",
        ),
        asked_as=(
            "arrived broken",
            "cracked",
            "smashed",
            "dented",
            "broken on arrival",
            "damaged in transit",
            "scratched",
            "box crushed",
        ),
    ),
    Kind(
        questions=(
            "What if my {p} stops working?",
            "My {p} does not work properly. What can I do?",
        ),
        answers=(
            "Please describe what happens when you use the {p} and when the problem started.",
            "A short video or clear photos help us verify the fault.",
            "We will review the situation and provide an appropriate resolution.",
            "Cases needing quality verification are given priority.",
            "Do not try to open or repair the {p} yourself before we have reviewed it.",
        ),
        asked_as=(
            "faulty",
            "not working",
            "won't turn on",
            "dead",
            "defective",
            "broke",
            "stopped working",
            "malfunction",
        ),
    ),
    Kind(
        questions=(
            "What if parts of my {p} are missing?",
            "My {p} arrived without all its components. What should I do?",
        ),
        answers=(
            "Please list the missing parts and add a photo of everything that arrived.",
            "We will assess the case and arrange an appropriate resolution.",
            "Check the packaging inserts first, as small parts are sometimes packed separately.",
            "Visual confirmation helps us send exactly what is missing for the {p}.",
        ),
        asked_as=(
            "parts missing",
            "missing pieces",
            "incomplete",
            "not in the box",
            "accessories missing",
            "screws missing",
            "charger missing",
        ),
    ),
    Kind(
        questions=(
            "What should I do if I receive the wrong {p}?",
            "I was sent a different {p} from the one I ordered. What now?",
        ),
        answers=(
            "Please send us a photo of the item and of its label, with your order reference.",
            "Once verified, we will arrange for the correct {p} to reach you.",
            "Please keep the item you received unused in its packaging.",
            "Incorrect items are reviewed with priority.",
        ),
        asked_as=(
            "wrong item",
            "not what I ordered",
            "different colour",
            "wrong size",
            "wrong model",
            "sent the wrong",
            "mix up",
        ),
    ),
    Kind(
        questions=(
            "Can I return the {p} after delivery?",
            "How do I send back the {p}?",
        ),
        answers=(
            "Return eligibility depends on the condition of the {p} and on the review results.",
            "Please submit a return request with your order reference.",
            "Pack the {p} with all its parts and accessories.",
            "All requests are evaluated under a structured review process.",
        ),
        asked_as=(
            "send back",
            "return it",
            "changed my mind",
            "return label",
            "don't want it",
            "give back",
        ),
    ),
    Kind(
        questions=(
            "When will I get my refund for the {p}?",
            "How is a refund for the {p} processed?",
        ),
        answers=(
            "Approved refunds are processed within a defined business timeframe.",
            "The refund goes back to the payment method used for the order.",
            "The final timeline may vary depending on the review stage.",
            "You can check the status of your case with its reference and your email address.",
        ),
        asked_as=(
            "money back",
            "refund status",
            "reimbursement",
            "paid back",
            "where is my money",
            "credit",
        ),
    ),
    Kind(
        questions=(
            "Can I cancel my order for the {p}?",
            "Is it possible to cancel the {p} after ordering?",
        ),
        answers=(
            "Once an order is confirmed, it cannot be modified due to immediate processing.",
            "If the {p} has not been dispatched, please reach out as soon as possible.",
            "After delivery, you can submit a return request instead.",
        ),
        asked_as=(
            "cancel order",
            "cancellation",
            "stop my order",
            "ordered by mistake",
            "undo purchase",
        ),
    ),
    Kind(
        questions=(
            "How do I change the delivery address for the {p}?",
            "I entered the wrong address for the {p}. What should I do?",
        ),
        answers=(
            "Please reach out as soon as possible with the correct address.",
            "Once processing begins, changes may no longer be possible.",
            "Include your order reference and the address exactly as it should be.",
        ),
        asked_as=(
            "wrong address",
            "typo in address",
            "update shipping address",
            "moved house",
            "change postcode",
            "misspelled name",
        ),
    ),
    Kind(
        questions=(
            "Where is my {p}?",
            "My {p} has not arrived yet. What should I do?",
        ),
        answers=(
            "Please check the tracking link in your dispatch email first.",
            "Deliveries can take longer during busy periods.",
            "If the tracking has not changed for several days, contact us with your order "
            "reference.",
            "We will follow up with the carrier about the {p}.",
        ),
        asked_as=(
            "not arrived",
            "late delivery",
            "tracking",
            "lost package",
            "parcel missing",
            "still waiting",
            "never came",
        ),
    ),
    Kind(
        questions=(
            "Is the {p} covered by a warranty?",
            "What does the guarantee on the {p} cover?",
        ),
        answers=(
            "Faults that appear during normal use are reviewed under the warranty.",
            "Please keep your order reference as proof of purchase.",
            "Damage from accidents or misuse is assessed case by case.",
            "We will review each case individually for accurate support.",
        ),
        asked_as=(
            "guarantee",
            "warranty claim",
            "repair",
            "broke after a month",
            "fix it",
            "still covered",
        ),
    ),
    Kind(
        questions=(
            "Can I exchange the {p} for another size or colour?",
            "How do I swap my {p} for a different one?",
        ),
        answers=(
            "Please submit a return request and place a new order for the {p} you prefer.",
            "Exchanges depend on the condition of the item and on availability.",
            "We will confirm the next steps once your request is reviewed.",
        ),
        asked_as=(
            "swap",
            "exchange",
            "different size",
            "other colour",
            "replace with",
            "trade in",
        ),
    ),
    Kind(
        questions=(
            "Where can I find the instructions for the {p}?",
            "How do I set up my {p}?",
        ),
        answers=(
            "The instructions are in the box with the {p}.",
            "If they are missing, contact us with the model name and we will help.",
            "Please read the safety notes before first use.",
        ),
        asked_as=(
            "manual",
            "user guide",
            "how to use",
            "setup",
            "assembly",
            "instructions missing",
        ),
    ),
    Kind(
        questions=(
            "I was charged twice for the {p}. What should I do?",
            "Why was my card charged more than once for the {p}?",
        ),
        answers=(
            "Please send us your order reference and the dates of both payments.",
            "Pending authorisations sometimes disappear on their own within a few days.",
            "Once verified, any duplicate payment is refunded.",
        ),
        asked_as=(
            "double charge",
            "charged twice",
            "billing error",
            "paid two times",
            "duplicate payment",
            "invoice wrong",
        ),
    ),
)


class Prose:
    """Nonsense sentences with the word statistics of real prose (Python's reference manual).

    Answers made only from templates compress many times better than real pages, which would
    skew every size ratio; one such sentence per answer brings the index to real-text variety.
    """

    def __init__(self, rng: random.Random):
        text = " ".join(pydoc_data.topics.topics.values())
        words = re.findall(r"[A-Za-z]+[.,]?", text)
        self.rng = rng
        self.follows: dict[tuple[str, str], list[str]] = defaultdict(list)
        for first, second, third in zip(words, words[1:], words[2:], strict=False):
            self.follows[(first, second)].append(third)
        self.starts = [pair for pair in self.follows if pair[0].endswith(".")]

    def sentence(self, words: int) -> str:
        """About `words` words, ending at the first full stop after that many."""
        pair = self.rng.choice(self.starts)
        out = []
        while len(out) < words or not out[-1].endswith("."):
            following = self.follows.get(pair) or ["again."]
            out.append(self.rng.choice(following))
            pair = (pair[1], out[-1])
        return " ".join(out).capitalize()


def product_lines(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """`count` distinct (brand, product) pairs, one topic page each."""
    pairs = [(brand, product) for brand in BRANDS for product in PRODUCTS]
    if count > len(pairs):
        raise ValueError(f"at most {len(pairs) * QUESTIONS_PER_PAGE} questions")
    rng.shuffle(pairs)
    return sorted(pairs[:count])


def question_block(kind: Kind, product: str, prose: Prose) -> str:
    """One question in Markdown: heading, the customers' words, the answer."""
    rng = prose.rng
    question = rng.choice(kind.questions).format(p=product)
    sentences = [s.format(p=product) for s in rng.sample(kind.answers, k=rng.randint(2, 3))]
    answer = " ".join([*sentences, prose.sentence(rng.randint(15, 30))])
    words = rng.sample(kind.asked_as, k=rng.randint(3, 5))
    return f"## {question}\n\n<!-- also asked as: {', '.join(words)} -->\n\n{answer}\n"


def page(brand: str, product: str, prose: Prose) -> str:
    """A topic page for one product line: a few models, a few questions about each."""
    rng = prose.rng
    title = f"{brand} {product} help"
    blocks = []
    for model in rng.sample(range(100, 1000), k=QUESTIONS_PER_PAGE // QUESTIONS_PER_PRODUCT):
        name = f"{brand} {product} {brand[0]}{model}"
        for kind in rng.sample(KINDS, k=QUESTIONS_PER_PRODUCT):
            blocks.append(question_block(kind, name, prose))
    front = f"---\ndescription: Damage, returns, refunds and more for the {brand} {product}.\n---\n"
    return f"{front}\n# {title}\n\n" + "\n".join(blocks)


def write_docs(docs: Path, questions: int, seed: int = 1) -> None:
    """Replace `docs` with a home page and topic pages holding `questions` questions.

    Questions come in pages of 40: a number that is not a multiple of 40 is rounded down.
    """
    rng = random.Random(seed)
    prose = Prose(rng)
    docs.mkdir(parents=True, exist_ok=True)
    for old in docs.glob("*.md"):
        old.unlink()
    (docs / "index.md").write_text(
        "---\ndescription: After-purchase help for every product we sell.\nfaq: false\n---\n\n"
        "# After-purchase support\n\nFind your product in the menu, or search.\n",
        encoding="utf-8",
    )
    for brand, product in product_lines(questions // QUESTIONS_PER_PAGE, rng):
        name = f"{brand}-{product}".lower().replace(" ", "-")
        (docs / f"{name}.md").write_text(page(brand, product, prose), encoding="utf-8")
