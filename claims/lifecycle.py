"""A case's life in one table: its statuses, and the actions that move it from one to another.

The store applies exactly these moves and refuses every other; the agent console shows the
actions this table allows for the case and the agent looking at it, with the form each one
needs; the customer's history tells each move in the table's words; the status emails name
the status reached. What an agent may do changes here, and nowhere else.

The usual life: waiting → in review (an agent takes it) → waiting for the customer → (the
customer replies) waiting, in its original place in the queue → in review → resolved or
closed. The customer may add information while the case is open (it keeps its place), and
reopen it for a while after it was settled (it gets a new place, behind the cases queued
before). Every action appends an event to the case's history; events are never changed.
A customer who asks for their data to be erased has their open cases closed first, with the
reason as the event's detail, and no mail (the address is about to go).
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    WAITING = "waiting"  # in the queue
    IN_REVIEW = "in_review"  # held by an agent
    WAITING_CUSTOMER = "waiting_customer"  # an agent asked the customer for something
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """The status as customers read it, on their case page and in emails."""
        return STATUS_LABELS[self]


STATUSES = tuple(status.value for status in Status)  # as stored, in the order of a life
STATUS_LABELS = {
    Status.WAITING: "Received, waiting for review",
    Status.IN_REVIEW: "In review",
    Status.WAITING_CUSTOMER: "Waiting for your reply",
    Status.RESOLVED: "Resolved",
    Status.CLOSED: "Closed",
}
FINISHED = (Status.RESOLVED, Status.CLOSED)  # cases the retention period applies to
OPEN = (Status.WAITING, Status.IN_REVIEW, Status.WAITING_CUSTOMER)
# Statuses an agent reaches by answering the customer: what the customer added is answered.
ANSWERED = (Status.WAITING_CUSTOMER, *FINISHED)

OUTCOMES = {  # what resolving a case did for the customer
    "replacement": "Replacement sent",
    "refund_approved": "Refund approved",
    "return_approved": "Return approved",
    "missing_parts_sent": "Missing parts sent",
    "information_corrected": "Information corrected",
    "no_fault_found": "No fault found",
}


# Why a case still open is closed when its customer asks for erasure (the event's detail).
ERASURE_REASON = "the customer asked for their data to be erased"


class Mail(StrEnum):
    """Whether the customer hears by email that an action moved their case."""

    NEVER = "never"
    ALWAYS = "always"
    FIRST_TIME = "first_time"  # only the first time the case gets this event


@dataclass(frozen=True)
class ConsoleForm:
    """The form an action has on the agent's case page; without a title, a lone button."""

    button: str
    title: str = ""
    message: str = ""  # the label of the message box; empty: no box
    message_required: str = ""  # what to say when the message is left empty; empty: optional
    message_hint: str = ""
    message_rows: int = 2
    outcome: bool = False  # choose one of OUTCOMES
    choose_agent: bool = False  # choose the agent who holds the case next
    choose_case: bool = False  # choose another open case of the customer's
    choose_type: bool = False  # choose a claim type and a lane
    primary: bool = False


@dataclass(frozen=True)
class Action:
    """One row of the table: who may do what to a case in which status, and what follows."""

    name: str
    sources: tuple[Status, ...]  # the statuses it applies to
    target: Status | None  # the status after it; None: the case stays where it is
    event: str  # the event it appends to the case's history
    past: str  # how a refusal names it: "it cannot be {past} now"
    by_customer: bool = False  # the customer's action; every other one is an agent's
    holder_only: bool = False  # on a case in review, only the agent holding it may
    others_only: bool = False  # on a case in review, only an agent not holding it may
    new_place: bool = False  # the case gets a new place in the queue, behind those queued
    mail: Mail = Mail.NEVER
    history: str = ""  # what the customer's history says (past tense); empty: agents only
    form: ConsoleForm | None = None  # on the agent console; None: not an agent's button

    def sends_mail(self, happened_before: Callable[[], bool]) -> bool:
        """Whether taking it sends a status email; `happened_before` says whether the case had
        this action's event already (asked only when that matters)."""
        if self.mail == Mail.FIRST_TIME:
            return not happened_before()
        return self.mail == Mail.ALWAYS

    def allows(self, status: str, agent: str | None, holder: str | None) -> bool:
        """Whether `agent` (None: the customer) may take this action on a case in `status`
        held by `holder`."""
        if status not in self.sources or self.by_customer != (agent is None):
            return False
        if status != Status.IN_REVIEW:
            return True
        return not (self.holder_only and holder != agent or self.others_only and holder == agent)


ACTIONS = {
    action.name: action
    for action in (
        Action(
            "take",
            (Status.WAITING,),
            Status.IN_REVIEW,
            event="taken",
            past="taken",
            mail=Mail.FIRST_TIME,
            history="An agent started reviewing your case.",
            form=ConsoleForm("Take this case", primary=True),
        ),
        Action(
            "assign",
            (Status.WAITING,),
            Status.IN_REVIEW,
            event="assigned",
            past="assigned",
            form=ConsoleForm("Assign", title="Assign to an agent", choose_agent=True),
        ),
        Action(
            "hand_over",
            (Status.IN_REVIEW,),
            Status.IN_REVIEW,
            event="handed_over",
            past="handed over",
            holder_only=True,
            form=ConsoleForm(
                "Hand over",
                title="Hand over to another agent",
                choose_agent=True,
                message="Note for them (optional)",
            ),
        ),
        Action(
            "take_over",
            (Status.IN_REVIEW,),
            Status.IN_REVIEW,
            event="taken_over",
            past="taken over",
            others_only=True,
            form=ConsoleForm(
                "Take over",
                title="Take over this case",
                message="Why are you taking it over?",
                message_required="Say why you take the case over; the history keeps it.",
                message_hint="The agent holding it sees this in the case's history.",
            ),
        ),
        Action(
            "release",
            (Status.IN_REVIEW,),
            Status.WAITING,
            event="released",
            past="released",
            holder_only=True,
            form=ConsoleForm("Release to the queue"),
        ),
        Action(
            "ask_customer",
            (Status.IN_REVIEW,),
            Status.WAITING_CUSTOMER,
            event="asked_customer",
            past="sent back to the customer",
            holder_only=True,
            mail=Mail.ALWAYS,
            history="We asked:",
            form=ConsoleForm(
                "Send to the customer",
                title="Ask the customer",
                message="What do you need from the customer?",
                message_required="Say what the customer should send or answer.",
                message_hint="The customer reads this on their status page and in an email.",
                message_rows=3,
            ),
        ),
        Action(
            "resolve",
            (Status.IN_REVIEW,),
            Status.RESOLVED,
            event="resolved",
            past="resolved",
            holder_only=True,
            mail=Mail.ALWAYS,
            history="Resolved: {outcome}.",
            form=ConsoleForm(
                "Resolve case",
                title="Resolve",
                message="Message to the customer (optional)",
                message_rows=3,
                outcome=True,
                primary=True,
            ),
        ),
        Action(
            "close",
            (Status.IN_REVIEW, Status.WAITING_CUSTOMER),
            Status.CLOSED,
            event="closed",
            past="closed",
            holder_only=True,
            mail=Mail.ALWAYS,
            history="Closed.",
            form=ConsoleForm(
                "Close case",
                title="Close without resolving",
                message="Why is the case closed? (shown to the customer, optional)",
            ),
        ),
        Action(
            "merge",
            OPEN,
            Status.CLOSED,
            event="merged",
            past="merged",
            holder_only=True,
            mail=Mail.ALWAYS,
            history="Joined with your other case:",
            form=ConsoleForm(
                "Merge",
                title="Merge into the customer's other case",
                choose_case=True,
            ),
        ),
        Action(
            "retype",
            OPEN,
            None,
            event="retyped",
            past="changed",
            holder_only=True,
            form=ConsoleForm(
                "Change type or lane",
                title="Change type or lane",
                choose_type=True,
                message="Why? (kept in the history)",
                message_required="Say why the type or lane changes; the history keeps it.",
            ),
        ),
        Action(
            "reopen_case",
            FINISHED,
            Status.WAITING,
            event="reopened_by_agent",
            past="reopened",
            new_place=True,
            form=ConsoleForm(
                "Reopen",
                title="Reopen the case",
                message="Why? (kept in the history)",
                message_required="Say why the case is reopened; the history keeps it.",
                message_hint="It goes back to the queue behind the cases waiting now.",
            ),
        ),
        Action(
            "note",
            tuple(Status),
            None,
            event="note",
            past="noted",
            form=ConsoleForm(
                "Add note",
                title="Add a note",
                message="Internal note",
                message_required="Write the note.",
                message_hint="Only agents see notes; the customer never does.",
            ),
        ),
        Action(
            "close_for_erasure",
            (Status.WAITING, Status.IN_REVIEW, Status.WAITING_CUSTOMER),
            Status.CLOSED,
            event="closed",
            past="closed for erasure",
            history="Closed.",
        ),
        Action(
            "customer_reply",
            (Status.WAITING_CUSTOMER,),
            Status.WAITING,
            event="customer_replied",
            past="answered",
            by_customer=True,
            history="You answered:",
        ),
        Action(
            "add_information",
            (Status.WAITING, Status.IN_REVIEW),
            None,
            event="customer_added",
            past="added to",
            by_customer=True,
            history="You added:",
        ),
        Action(
            "reopen",
            FINISHED,
            Status.WAITING,
            event="reopened",
            past="reopened",
            by_customer=True,
            new_place=True,
            history="You reopened the case:",
        ),
    )
}
# How many days after it was resolved or closed the customer may reopen a case, unless the
# shop sets CLAIMS_REOPEN_DAYS.
REOPEN_DAYS = 30

# What the customer's history says of events that are no action: {detail} and {text} are the
# event's own.
NOTICES = {
    "submitted": "Claim received.",
    "photo_added": "Photo received{text_after_colon}.",
    "mail_sent": "{detail}.",
}
# Events the customer sees in their history; notes, hand-overs and mail trouble are for agents.
CUSTOMER_EVENTS = (*NOTICES, *(action.event for action in ACTIONS.values() if action.history))


def available(status: str, agent: str | None, holder: str | None) -> list[Action]:
    """The actions `agent` (None: the customer) may take on a case now, in table order."""
    return [action for action in ACTIONS.values() if action.allows(status, agent, holder)]


def console_actions(status: str, agent: str, holder: str | None) -> list[Action]:
    """What the console offers this agent for the case: the allowed actions with a form."""
    return [action for action in available(status, agent, holder) if action.form]


def refusal(action: Action, status: str, agent: str | None, holder: str | None) -> str | None:
    """Why `agent` (None: the customer) may not take `action` now, in words for them; None
    when they may."""
    if action.allows(status, agent, holder):
        return None
    in_review = status == Status.IN_REVIEW and status in action.sources
    if in_review and action.holder_only and holder != agent:
        return f"{holder} holds this case; only they can do that."
    if in_review and action.others_only and holder == agent:
        return "You hold this case already."
    return f"This case is {status.replace('_', ' ')}: it cannot be {action.past} now."


def customer_addition(status: str) -> Action | None:
    """What adding a message or photos means in this status: an answer when an agent asked,
    more information while the case is open; None once it is settled (reopen it instead)."""
    for action in available(status, None, None):
        if not action.new_place:
            return action
    return None


def reaching(status: str) -> tuple[str, ...]:
    """The events of the actions that move a case into `status` and mail the customer (its
    email tells the last of them)."""
    return tuple(
        action.event
        for action in ACTIONS.values()
        if action.target == status and action.mail != Mail.NEVER
    )


def customer_history(kind: str, detail: str, text: str) -> tuple[str, str]:
    """What the customer's history says of one event: (sentence, message shown with it)."""
    if kind in NOTICES:
        after_colon = f": {text}" if text else ""
        return NOTICES[kind].format(detail=detail, text_after_colon=after_colon), ""
    for action in ACTIONS.values():
        if action.event == kind and action.history:
            return action.history.format(outcome=OUTCOMES.get(detail, "")), text
    return "", ""
