"""The service's forms: what each field accepts and what it says when it does not."""

import re
import unicodedata

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    HiddenField,
    MultipleFileField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice  # type: ignore[attr-defined]  # not in types-WTForms yet
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from claims.catalog import CLAIM_TYPES, LANES
from claims.lifecycle import ACTIONS, OUTCOMES, STATUSES, Action
from claims.mail import Undeliverable, mailbox

ORDER_REF_SHAPE = re.compile(r"^#? ?[A-Za-z0-9][A-Za-z0-9 ._/#-]*$")
AGENT_NAME = re.compile(r"[A-Za-z0-9._-]{2,40}")
DESCRIPTION_MAX = 5000
LONGEST_TEXT = 2 * DESCRIPTION_MAX  # past every field's limit


def text_only(value: object) -> str | None:
    """A file part sent where the form expects text counts as no text."""
    return value if isinstance(value, str) else None


def single_line(value: str | None) -> str | None:
    """Drop invisible control characters (pasted NULs, escape codes) and outer spaces."""
    if not isinstance(value, str):
        return None
    return without_controls(value).strip()


def multi_line(value: str | None) -> str | None:
    """Like single_line, but keep line breaks and tabs, with one kind of line break."""
    if not isinstance(value, str):
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return without_controls(value, keep="\n\t").strip()


def without_controls(value: str, keep: str = "") -> str:
    """`value` without its control characters (but those in `keep`).

    Text longer than LONGEST_TEXT is too long for every field whatever it holds: it is cut
    there and left as it is, for the field's length check to refuse, so no request makes
    this walk more than LONGEST_TEXT characters.
    """
    if len(value) > LONGEST_TEXT:
        return value[:LONGEST_TEXT]
    return "".join(c for c in value if c in keep or unicodedata.category(c) != "Cc")


def mailable(form: FlaskForm, field: StringField) -> None:
    """An address every mail server takes, or a message saying what to change."""
    try:
        mailbox(field.data or "", smtputf8=False)
    except Undeliverable as refusal:
        raise ValidationError(str(refusal)) from refusal


def entered(field: Field) -> str:
    """A required text field's value once its form validated: its DataRequired or
    InputRequired validator guarantees one, so a missing value is a bug in the view."""
    if not isinstance(field.data, str):
        raise RuntimeError(f"The {field.name} field has no value: validate its form first.")
    return field.data


def add_error(field: Field, message: str) -> None:
    """Show a problem found after validation (a refused photo, a wrong password) next to
    the field, where its validators' own messages appear."""
    field.errors = [*field.errors, message]


def order_ref_field(description: str = "") -> StringField:
    """An order reference as shops print them (#1001, 1001, A-55012, SO/2026/0042), kept as
    typed; the store compares references by ``order_key``."""
    return StringField(
        "Order reference",
        description=description or "As it appears in your order confirmation, for example 100234.",
        filters=[single_line],
        validators=[
            DataRequired("Enter your order reference."),
            Length(
                min=3,
                max=40,
                message="An order reference is between 3 and 40 characters long. "
                "Check your order confirmation.",
            ),
            Regexp(
                ORDER_REF_SHAPE,
                message="Use the order reference as it appears in your order confirmation: "
                "letters, digits, spaces and . _ / # - only.",
            ),
        ],
    )


def lookup_email_field() -> EmailField:
    """The email address a look-up is checked against."""
    return EmailField(
        "Email address",
        description="The one you gave when you submitted the claim.",
        filters=[single_line],
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254, message="This email address is too long."),
        ],
    )


def message_field(label: str, required: str = "", description: str = "") -> TextAreaField:
    """A free-text message of at most DESCRIPTION_MAX characters; `required` is the
    message shown when it is left empty (optional when not given)."""
    presence = [DataRequired(required)] if required else []
    return TextAreaField(
        label,
        description=description,
        filters=[multi_line],
        validators=[
            *presence,
            Length(max=DESCRIPTION_MAX, message=f"Write at most {DESCRIPTION_MAX:,} characters."),
        ],
    )


class ClaimForm(FlaskForm):
    order_ref = order_ref_field()
    email = EmailField(
        "Email address",
        description="The one you used for the order. We send your case reference there.",
        filters=[single_line],
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254, message="This email address is too long."),
            mailable,
        ],
    )
    claim_type = RadioField(
        "What went wrong?",
        choices=[SelectChoice(name, claim_type.label) for name, claim_type in CLAIM_TYPES.items()],
        validate_choice=False,
        validators=[
            InputRequired("Choose what went wrong."),
            AnyOf(list(CLAIM_TYPES), message="Choose one of the options below."),
        ],
    )
    description = TextAreaField(
        "What happened?",
        description="Describe the problem in your own words.",
        filters=[multi_line],
        validators=[
            DataRequired("Describe what happened."),
            Length(
                min=10,
                max=DESCRIPTION_MAX,
                message=f"Write between 10 and {DESCRIPTION_MAX:,} characters.",
            ),
        ],
    )
    photos = MultipleFileField("Photos")
    # A field people never see; bots that fill in every field fill it too.
    website = StringField("Leave this field empty", validators=[Optional()])
    # The same form sent twice (double click, reload) carries the same id: one case.
    submission_id = HiddenField(filters=[text_only])


class StatusForm(FlaskForm):
    reference = StringField(
        "Case reference",
        description="It starts with HC-, for example HC-7KQ4-M2XD-9PRT.",
        filters=[single_line],
        validators=[
            DataRequired("Enter your case reference."),
            Length(max=40, message="A case reference looks like HC-7KQ4-M2XD-9PRT."),
        ],
    )
    email = lookup_email_field()


class OrderLookupForm(FlaskForm):
    """The look-up by order, which lists the customer's cases for it."""

    order_ref = order_ref_field("As it appears in your order confirmation, for example #1001.")
    email = lookup_email_field()


def at_least_something(form: "AddToCaseForm", field: TextAreaField) -> None:
    """An addition needs a message or a photo; reopening needs the reason in words."""
    if form.reopening and not field.data:
        raise ValidationError("Tell us what is still not settled.")
    if not field.data and not form.has_photos:
        raise ValidationError("Write a message or add at least one photo.")


class AddToCaseForm(FlaskForm):
    """Adding to a case: a message, photos or both; the reopen button reopens a settled case."""

    message = TextAreaField(
        "Your message",
        filters=[multi_line],
        validators=[
            at_least_something,
            Length(max=DESCRIPTION_MAX, message=f"Write at most {DESCRIPTION_MAX:,} characters."),
        ],
    )
    photos = MultipleFileField("Photos (optional)")
    action = StringField(filters=[text_only])  # sent by the reopen button (name="action")
    # The same form sent twice (double click, reload) carries the same id: added once.
    submission_id = HiddenField(filters=[text_only])
    has_photos = False  # set by the view once it has counted the chosen files

    @property
    def reopening(self) -> bool:
        return self.action.data == "reopen"


class LoginForm(FlaskForm):
    name = StringField("Name", filters=[single_line], validators=[DataRequired("Enter your name.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


class CustomerForm(FlaskForm):
    """Whose data an agent looks up, exports or erases."""

    email = EmailField(
        "Customer's email address",
        description="As the customer gave it on their claims; capitals do not matter.",
        filters=[single_line],
        validators=[
            DataRequired("Enter the customer's email address."),
            Length(max=254, message="This email address is too long."),
        ],
    )


class ErasureForm(CustomerForm):
    """Erasing a customer's data: the agent types the address again to confirm."""

    confirmation = StringField(
        "Type the email address again to confirm",
        description="Erasure cannot be undone.",
        filters=[single_line],
        validators=[DataRequired("Type the customer's email address to confirm the erasure.")],
    )

    def validate_confirmation(self, field: StringField) -> None:
        if (field.data or "").casefold() != (self.email.data or "").casefold():
            raise ValidationError(
                "This is not the address whose data would be erased. Type it exactly as shown."
            )


def label(name: str) -> str:
    """A stored name as agents read it: "in_review" -> "In review"."""
    return name.replace("_", " ").capitalize()


AGES = {"24": "Over a day", "72": "Over 3 days", "168": "Over a week"}  # hours: label


class SearchForm(FlaskForm):
    """The console's search: words or a reference, and filters; a GET form (no CSRF: it
    changes nothing). A filter with a value not offered is left out, never an error."""

    class Meta:
        csrf = False

    q = StringField(
        "Search cases",
        filters=[single_line],
        description="Reference, order reference, email, or words from the claim or messages.",
        validators=[Length(max=200, message="Search for at most 200 characters.")],
    )
    status = SelectField(
        "Status",
        choices=[SelectChoice("", "Any status"), *(SelectChoice(s, label(s)) for s in STATUSES)],
    )
    type = SelectField(
        "Claim type",
        choices=[SelectChoice("", "All types")]
        + [
            SelectChoice(name, claim.label)
            for name, claim in CLAIM_TYPES.items()
            if claim.files_case
        ],
    )
    lane = SelectField(
        "Lane",
        choices=[SelectChoice("", "Both lanes"), *(SelectChoice(n, label(n)) for n in LANES)],
    )
    holder = SelectField("Held by", choices=[SelectChoice("", "Anyone")])
    added = BooleanField("Customer added information")
    older = SelectField(
        "Age", choices=[SelectChoice("", "Any age"), *(SelectChoice(*age) for age in AGES.items())]
    )

    def chosen(self, field: SelectField) -> str | None:
        """The value picked in a filter when it is one offered; None otherwise."""
        offered = {str(choice[0]) for choice in field.iter_choices()} - {""}
        return field.data if field.data in offered else None


class SavedReplyForm(FlaskForm):
    title = StringField(
        "Title",
        filters=[single_line],
        validators=[
            DataRequired("Give the reply a title."),
            Length(max=100, message="Keep the title under 100 characters."),
        ],
    )
    body = message_field(
        "Text",
        required="Write the reply's text.",
        description="{reference}, {order_ref} and {agent} are filled in with the case's"
        " reference, its order reference and your name.",
    )


def outcome_field() -> SelectField:
    """How a case was resolved: one of the lifecycle's outcomes."""
    return SelectField(
        "Outcome",
        choices=[SelectChoice("", "Choose an outcome")]
        + [SelectChoice(name, label) for name, label in OUTCOMES.items()],
        validators=[
            DataRequired("Choose an outcome."),
            AnyOf(list(OUTCOMES), message="Choose an outcome."),
        ],
    )


def console_form_class(action: Action) -> type[FlaskForm]:
    """The form for an action on the agent's case page, with the fields its row in the
    lifecycle table asks for (none: a button), and when the case last changed as the agent
    saw it (so that an action on a case moved meanwhile is refused)."""
    spec = action.form
    fields: dict[str, object] = {"seen": HiddenField()}
    if spec is not None and spec.outcome:
        fields["outcome"] = outcome_field()
    if spec is not None and spec.choose_agent:
        fields["agent"] = SelectField(  # choices: the enabled agents, set by the console
            "Agent", validators=[DataRequired("Choose an agent.")]
        )
    if spec is not None and spec.choose_case:
        fields["into"] = SelectField(  # choices: the customer's other open cases
            "Merge into", validators=[DataRequired("Choose the case to merge into.")]
        )
    if spec is not None and spec.choose_type:
        fields["claim_type"] = SelectField(
            "Claim type",
            choices=[
                SelectChoice(name, claim.label)
                for name, claim in CLAIM_TYPES.items()
                if claim.files_case
            ],
        )
        fields["lane"] = SelectField(
            "Lane", choices=[SelectChoice(lane, label(lane)) for lane in LANES]
        )
    if spec is not None and spec.message:
        fields["message"] = message_field(
            spec.message, required=spec.message_required, description=spec.message_hint
        )
    return type(f"{action.name.title().replace('_', '')}Form", (FlaskForm,), fields)


# The agent console's form for each action it offers.
CONSOLE_FORMS = {
    name: console_form_class(action) for name, action in ACTIONS.items() if action.form
}
