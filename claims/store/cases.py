"""Cases and the queue: filing a case, reading it, moving it through its life, purging it.

Queue order is one rule, in one place (``QUEUE_ORDER``): the priority lane before the
standard lane, and inside a lane strictly first come, first served by queue place. A filed
case gets the next place; it keeps it when it goes back to the queue (released, answered);
a reopened case gets a new one (``give_new_place``), behind every case queued before it.
Customers' positions, agents' "take next" and the CLI's queue all read this order.

Which moves are allowed, and what each one appends and mails, is ``claims.lifecycle``'s
table; this class applies it inside one transaction per move, and refuses anything else.
"""

import secrets
from collections.abc import Iterator
from dataclasses import astuple, fields

from claims.catalog import LANES
from claims.lifecycle import (
    ACTIONS,
    ANSWERED,
    FINISHED,
    OPEN,
    REOPEN_DAYS,
    Status,
    customer_addition,
    refusal,
)
from claims.photos import StoredPhoto
from claims.store import references
from claims.store.clock import Clock
from claims.store.connection import Connection
from claims.store.history import History
from claims.store.outbox import Outbox
from claims.store.personal import forget_case
from claims.store.records import Case, NewCase, QueueSummary, columns
from claims.store.search import Search
from claims.store.staging import Form, Staging

LANE_RANK = {lane: rank for rank, lane in enumerate(LANES)}  # the priority lane first
QUEUE_ORDER = "lane_rank, queue_place"
CASE_COLUMNS = columns(Case)
PHOTO_COLUMNS = columns(StoredPhoto)


class TransitionRefused(Exception):
    """An action that does not fit the case's state; str(e) says why, for the agent."""


class StillHolding(Exception):
    """An agent working one case at a time asked for another; `case` is the one they hold."""

    def __init__(self, case: Case):
        super().__init__(f"You are working on {case.reference}.")
        self.case = case


def unchanged_since(case: Case, seen: str | None) -> None:
    """Refuse to act on a case that changed after `seen` (when the agent last saw it)."""
    if seen and seen != case.updated_at:
        raise TransitionRefused(
            "This case changed while you had it open; nothing was done."
            " Read it again and choose what to do."
        )


class Cases:
    """The cases of one case log, their photos and their place in the queue."""

    def __init__(
        self,
        connection: Connection,
        clock: Clock,
        history: History,
        outbox: Outbox,
        staging: Staging,
        search: Search,
    ):
        self.db, self.clock, self.history, self.outbox = connection, clock, history, outbox
        self.staging, self.search = staging, search

    # Filing a case

    def file_case(
        self, new: NewCase, photos: list[StoredPhoto], staged_for: Form | None = None
    ) -> tuple[Case, bool]:
        """Record a new case with its photos and queue its confirmation mail; the photos
        staged for the form (`staged_for`) come first, moved to the case in this transaction.

        Returns the case and whether it was created now; a submission already filed
        (a double click, a re-sent form) returns the earlier case instead.
        """
        with self.db.transaction() as db:
            received_at = self.clock.stamp()
            inserted = db.execute(
                "INSERT INTO cases (reference, submission_key, order_ref, email, claim_type,"
                " lane, lane_rank, description, received_at, status, updated_at, queue_place,"
                " order_key)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (submission_key) DO NOTHING RETURNING id",
                (
                    self._unused_reference(),
                    new.submission_key,
                    new.order_ref,
                    new.email,
                    new.claim_type,
                    new.lane,
                    LANE_RANK[new.lane],
                    new.description,
                    received_at,
                    Status.WAITING,
                    received_at,
                    self._next_place(),
                    references.order_key(new.order_ref),
                ),
            ).fetchone()
            if inserted is None:  # this very form was filed already
                return self._existing("submission_key = ?", new.submission_key), False
            case_id = inserted["id"]
            self.search.add_case(case_id, new.description)
            self.history.append(case_id, "submitted", "customer", new.claim_type)
            staged = self.staging.take(staged_for) if staged_for else []
            self._add_photos(case_id, staged + photos)
            self.outbox.enqueue(case_id, "confirmation")
            self.outbox.enqueue_webhook(case_id, "case.filed")
            if new.lane == LANES[0]:  # the priority lane
                self.outbox.enqueue_agent_alert(case_id)
            return self._existing("id = ?", case_id), True

    def _next_place(self) -> int:
        """A queue place behind every one given so far, inside the caller's transaction."""
        if self.db.is_postgresql:
            return self.db.scalar("SELECT nextval('queue_places') AS place")
        # SQLite writers take turns (BEGIN IMMEDIATE), so nobody else can take this number.
        return self.db.scalar("SELECT COALESCE(MAX(queue_place), 0) + 1 AS place FROM cases")

    def give_new_place(self, case_id: int) -> None:
        """Put the case behind every case queued so far in its lane (and ahead of later
        ones), inside the caller's transaction: a reopened case waits its turn again."""
        self.db.execute(
            "UPDATE cases SET queue_place = ? WHERE id = ?", (self._next_place(), case_id)
        )

    def _unused_reference(self) -> str:
        while True:
            reference = references.new_reference()
            if not self.db.execute(
                "SELECT 1 FROM cases WHERE reference = ?", (reference,)
            ).fetchone():
                return reference

    def _add_photos(self, case_id: int, photos: list[StoredPhoto]) -> None:
        for photo in photos:
            self.db.execute(
                f"INSERT INTO photos (case_id, {PHOTO_COLUMNS})"
                f" VALUES (?, {', '.join('?' for _ in fields(StoredPhoto))})",
                (case_id, *astuple(photo)),
            )
            self.history.append(case_id, "photo_added", "customer", photo.stored_name)

    # Reading cases

    def _where(self, condition: str, *params: object) -> Case | None:
        row = self.db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE {condition}", params
        ).fetchone()
        return Case(**row) if row else None

    def _existing(self, condition: str, *params: object) -> Case:
        """A case this transaction knows is there."""
        case = self._where(condition, *params)
        assert case is not None, condition
        return case

    def case_by_reference(self, reference: str) -> Case | None:
        return self._where("reference = ?", reference)

    def case_by_submission_key(self, key: str) -> Case | None:
        return self._where("submission_key = ?", key)

    def case_by_id(self, case_id: int) -> Case | None:
        return self._where("id = ?", case_id)

    def case_for_customer(self, reference: str, email: str) -> Case | None:
        """The case only when both the reference and its email match; None otherwise."""
        case = self.case_by_reference(references.normalize(reference))
        expected = case.email if case and not case.purged_at else "\0"
        matches = secrets.compare_digest(expected.casefold().encode(), email.casefold().encode())
        return case if case and matches else None

    def cases_for_customer_order(self, order_ref: str, email: str) -> list[Case]:
        """The customer's cases for an order (references compared by ``order_key``), oldest
        first; none when the email matches none of them. Every case of the order is compared,
        so a wrong pair costs what a right one does."""
        rows = self.db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE order_key = ? AND purged_at IS NULL"
            " ORDER BY id",
            (references.order_key(order_ref),),
        )
        typed = email.casefold().encode()
        found = [Case(**row) for row in rows]
        return [c for c in found if secrets.compare_digest(c.email.casefold().encode(), typed)]

    def cases(self, since: str | None = None, status: str | None = None) -> Iterator[Case]:
        """Cases in the order received, received since a time and in a status when given."""
        conditions, params = ["1 = 1"], []
        if since:
            conditions.append("received_at >= ?")
            params.append(since)
        if status:
            conditions.append("status = ?")
            params.append(status)
        rows = self.db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE {' AND '.join(conditions)} ORDER BY id",
            params,
        )
        for row in rows:
            yield Case(**row)

    def photos(self, case_id: int) -> list[StoredPhoto]:
        rows = self.db.execute(
            f"SELECT {PHOTO_COLUMNS} FROM photos WHERE case_id = ? ORDER BY id", (case_id,)
        )
        return [StoredPhoto(**row) for row in rows]

    def photo_of_case(self, case_id: int, stored_name: str) -> StoredPhoto | None:
        """One of this case's photos, for its customer; None when it is not one of them."""
        row = self.db.execute(
            f"SELECT {PHOTO_COLUMNS} FROM photos WHERE case_id = ? AND stored_name = ?",
            (case_id, stored_name),
        ).fetchone()
        return StoredPhoto(**row) if row else None

    def photo_for_agents(self, stored_name: str) -> StoredPhoto | None:
        row = self.db.execute(
            f"SELECT {PHOTO_COLUMNS} FROM photos WHERE stored_name = ?", (stored_name,)
        ).fetchone()
        return StoredPhoto(**row) if row else None

    def stored_photo_names(self) -> set[str]:
        return {row["stored_name"] for row in self.db.execute("SELECT stored_name FROM photos")}

    def photo_counts(self, case_ids: list[int]) -> dict[int, int]:
        if not case_ids:
            return {}
        rows = self.db.execute(
            f"SELECT case_id, COUNT(*) AS photos FROM photos WHERE case_id IN"
            f" ({', '.join('?' for _ in case_ids)}) GROUP BY case_id",
            case_ids,
        )
        return dict.fromkeys(case_ids, 0) | {row["case_id"]: row["photos"] for row in rows}

    # The customer's other cases

    def related(self, case: Case, limit: int = 20) -> list[Case]:
        """The customer's other cases (same email or same order reference), newest first."""
        if case.purged_at:
            return []
        rows = self.db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE id IN ("
            " SELECT id FROM cases WHERE lower(email) = ?"
            " UNION SELECT id FROM cases WHERE order_key = ?) AND id <> ?"
            " ORDER BY id DESC LIMIT ?",
            (case.email.lower(), case.order_key, case.id, limit),
        )
        return [Case(**row) for row in rows]

    def possible_duplicates(self, case_ids: list[int]) -> set[int]:
        """Which of these cases have another open case with the same order reference, or
        with the same email and claim type: probably the same problem filed twice."""
        if not case_ids:
            return set()
        marks = ", ".join("?" for _ in case_ids)
        statuses = ", ".join("?" for _ in OPEN)
        rows = self.db.execute(
            f"SELECT c.id FROM cases c WHERE c.id IN ({marks}) AND c.purged_at IS NULL"
            " AND EXISTS (SELECT 1 FROM cases d WHERE d.id <> c.id"
            f" AND d.status IN ({statuses}) AND (d.order_key = c.order_key"
            " OR (lower(d.email) = lower(c.email) AND d.claim_type = c.claim_type)))",
            (*case_ids, *OPEN),
        )
        return {row["id"] for row in rows}

    # The queue

    def queue(
        self,
        status: str = Status.WAITING,
        claim_type: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Case]:
        """Cases in a status, in the order agents take them (the queue, for waiting ones)."""
        type_filter = " AND claim_type = ?" if claim_type else ""
        params = [status, *([claim_type] if claim_type else []), limit, offset]
        rows = self.db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE status = ?{type_filter}"
            f" ORDER BY {QUEUE_ORDER} LIMIT ? OFFSET ?",
            params,
        )
        return [Case(**row) for row in rows]

    def next_case(self) -> Case | None:
        """The case an agent should take next."""
        cases = self.queue(limit=1)
        return cases[0] if cases else None

    def queue_position(self, case: Case) -> int | None:
        """1 for the next case to be taken; None when the case is not waiting."""
        if case.status != Status.WAITING:
            return None
        # The cases ahead in QUEUE_ORDER (lane_rank, queue_place), counted as two exact
        # ranges of the queue index: SQLite bounds a row-value comparison by its first column.
        rank = LANE_RANK[case.lane]
        ahead = self.db.scalar(
            "SELECT (SELECT COUNT(*) FROM cases WHERE status = ? AND lane_rank < ?)"
            " + (SELECT COUNT(*) FROM cases WHERE status = ? AND lane_rank = ?"
            " AND queue_place < ?) AS ahead",
            (Status.WAITING, rank, Status.WAITING, rank, case.queue_place),
        )
        return ahead + 1

    def holders(self) -> dict[str, int]:
        """Who holds cases in review now, and how many each."""
        rows = self.db.execute(
            "SELECT assigned_to, COUNT(*) AS held FROM cases WHERE status = ?"
            " GROUP BY assigned_to ORDER BY assigned_to",
            (Status.IN_REVIEW,),
        )
        return {row["assigned_to"]: row["held"] for row in rows}

    def queue_summary(self) -> QueueSummary:
        """How many cases wait in each lane, and since when the oldest has waited."""
        # Read from the queue index alone: each lane by its rank, and the oldest case as the
        # first place in line (places follow the order cases were queued).
        per_lane, first_places = {}, []
        for lane, rank in LANE_RANK.items():
            row = self.db.one(
                "SELECT COUNT(*) AS waiting, MIN(queue_place) AS first FROM cases"
                " WHERE status = ? AND lane_rank = ?",
                (Status.WAITING, rank),
            )
            per_lane[lane] = row["waiting"]
            if row["first"] is not None:
                first_places.append(row["first"])
        oldest = None
        if first_places:
            oldest = self.db.scalar(
                "SELECT received_at FROM cases WHERE queue_place = ?", (min(first_places),)
            )
        return QueueSummary(per_lane, oldest)

    # Moving a case through its life

    def take_next(self, agent: str, one_at_a_time: bool = False) -> Case | None:
        """Give the next waiting case to this agent; two agents never get the same case.
        One at a time: raise StillHolding while the agent holds a case in review."""
        with self.db.transaction() as db:
            if one_at_a_time:
                # The agent's row is locked so that a double click cannot take two cases.
                db.execute(f"SELECT name FROM agents WHERE name = ?{db.for_update()}", (agent,))
                held = self._where(
                    "status = ? AND assigned_to = ? ORDER BY id LIMIT 1", Status.IN_REVIEW, agent
                )
                if held is not None:
                    raise StillHolding(held)
            row = db.execute(
                f"SELECT {CASE_COLUMNS} FROM cases WHERE status = ?"
                f" ORDER BY {QUEUE_ORDER} LIMIT 1{db.for_update(skip_locked=True)}",
                (Status.WAITING,),
            ).fetchone()
            return self.move(Case(**row), "take", agent) if row else None

    def act(
        self,
        reference: str,
        action: str,
        agent: str,
        text: str = "",
        detail: str = "",
        to: str | None = None,
        seen: str | None = None,
    ) -> Case:
        """Take an action of the lifecycle table on a case, as this agent, or refuse it.

        `to` is the agent who holds the case next (assigning, handing over); `seen` is when
        the case last changed as the agent saw it: a case moved since then is left alone.
        """
        with self.db.transaction():
            case = self._where(f"reference = ?{self.db.for_update()}", reference)
            if case is None:
                raise TransitionRefused("There is no such case.")
            unchanged_since(case, seen)
            if to is not None:
                detail = self._next_holder(to, agent)
            return self.move(case, action, agent, text=text, detail=detail, to=to)

    def merge(self, duplicate: str, original: str, agent: str, seen: str | None = None) -> Case:
        """Fold a duplicate into the customer's original case, in one transaction: the
        duplicate's messages and photos (with their events) move to the original, its
        description joins the original's history, and it closes with a message naming the
        original (the customer's one email about it). Returns the original."""
        with self.db.transaction():
            lock = self.db.for_update()
            dup = self._where(f"reference = ?{lock}", duplicate)
            into = self._where(f"reference = ?{lock}", original)
            if dup is None or into is None or dup.id == into.id:
                raise TransitionRefused("Choose another case of this customer's to merge into.")
            if into.status not in OPEN:
                raise TransitionRefused(f"{into.reference} is finished: merge into an open case.")
            unchanged_since(dup, seen)
            refused = refusal(ACTIONS["merge"], dup.status, agent, dup.assigned_to)
            if refused:
                raise TransitionRefused(refused)
            self.db.execute(
                "UPDATE events SET case_id = ? WHERE case_id = ? AND (kind = 'photo_added'"
                " OR id IN (SELECT event_id FROM messages WHERE case_id = ?))",
                (into.id, dup.id, dup.id),
            )
            for table in ("messages", "photos"):
                self.db.execute(
                    f"UPDATE {table} SET case_id = ? WHERE case_id = ?", (into.id, dup.id)
                )
            self.history.append(into.id, "merged_in", agent, dup.reference, dup.description)
            self.move(
                dup,
                "merge",
                agent,
                detail=into.reference,
                text=f"We continue with your case {into.reference}: what you sent is there.",
            )
            for case_id in (dup.id, into.id):  # the moved messages' words move too
                self.search.rebuild(case_id)
            return self._existing("id = ?", into.id)

    def retype(
        self,
        reference: str,
        agent: str,
        claim_type: str,
        lane: str,
        reason: str,
        seen: str | None = None,
    ) -> Case:
        """Change a case's claim type and lane, with the reason in its history. It keeps its
        place: in its new lane it waits where its place puts it, as if filed there."""
        with self.db.transaction():
            case = self._where(f"reference = ?{self.db.for_update()}", reference)
            if case is None:
                raise TransitionRefused("There is no such case.")
            unchanged_since(case, seen)
            if (claim_type, lane) == (case.claim_type, case.lane):
                raise TransitionRefused("That is the case's type and lane already.")
            change = f"{case.claim_type} ({case.lane}) → {claim_type} ({lane})"
            self.move(case, "retype", agent, text=reason, detail=change)
            self.db.execute(
                "UPDATE cases SET claim_type = ?, lane = ?, lane_rank = ?, updated_at = ?"
                " WHERE id = ?",
                (claim_type, lane, LANE_RANK[lane], self.clock.stamp(), case.id),
            )
            return self._existing("id = ?", case.id)

    def _next_holder(self, to: str, agent: str) -> str:
        """`to`, when it names another agent who may sign in; refused otherwise."""
        if to == agent:
            raise TransitionRefused("Choose another agent than yourself.")
        if not self.db.execute(
            "SELECT 1 FROM agents WHERE name = ? AND disabled = 0", (to,)
        ).fetchone():
            raise TransitionRefused(f"There is no agent {to!r} who can take the case.")
        return to

    def customer_adds(
        self,
        case: Case,
        action: str | None,
        text: str,
        photos: list[StoredPhoto],
        submission_key: str | None = None,
        reopen_days: int = REOPEN_DAYS,
    ) -> tuple[Case, bool]:
        """The customer's `action` (None: what adding means in the case's status now, an
        answer or more information) with a message and photos; returns the case and whether
        this was added now (False: the same form was sent before, and nothing more is added).
        A case may be reopened for `reopen_days` after it was settled."""
        with self.db.transaction() as db:
            current = self._existing(f"id = ?{db.for_update()}", case.id)
            if submission_key and self.history.has_submission(submission_key):
                return current, False
            if action is None:
                addition = customer_addition(current.status)
                if addition is None:
                    raise TransitionRefused("This case is settled: reopen it to add to it.")
                action = addition.name
            if action == "reopen" and not self.may_reopen(current, reopen_days):
                raise TransitionRefused(
                    f"This case was settled more than {reopen_days} days ago:"
                    " file a new claim instead."
                )
            moved = self.move(current, action, None, text=text, submission_key=submission_key)
            self._add_photos(case.id, photos)
            return moved, True

    def may_reopen(self, case: Case, days: int) -> bool:
        """Whether the case was settled no more than `days` ago (it is last updated then)."""
        return case.status in FINISHED and case.updated_at >= self.clock.stamp(-days * 86400)

    def move(
        self,
        case: Case,
        name: str,
        agent: str | None,
        text: str = "",
        detail: str = "",
        to: str | None = None,
        submission_key: str | None = None,
    ) -> Case:
        """Apply one action of the table, by `agent` (None: the customer; `to`: the agent
        who is to hold the case instead), inside the caller's transaction, or refuse it."""
        action = ACTIONS.get(name)
        if action is None:
            raise TransitionRefused(f"There is no action {name!r}.")
        refused = refusal(action, case.status, agent, case.assigned_to)
        if refused:
            raise TransitionRefused(refused)
        mails = action.sends_mail(lambda: self.history.has(case.id, action.event))
        if action.target == Status.IN_REVIEW and case.assigned_to and not detail:
            detail = case.assigned_to  # whom the case was taken over from
        if action.target is not None:
            holder = (to or agent) if action.target == Status.IN_REVIEW else None
            self.db.execute(
                "UPDATE cases SET status = ?, assigned_to = ?, updated_at = ? WHERE id = ?",
                (action.target, holder, self.clock.stamp(), case.id),
            )
        if action.new_place:
            self.give_new_place(case.id)
        if action.by_customer:  # agents see that the customer added something
            self.db.execute(
                "UPDATE cases SET customer_added_at = ? WHERE id = ?",
                (self.clock.stamp(), case.id),
            )
        elif action.target in ANSWERED:
            self.db.execute("UPDATE cases SET customer_added_at = NULL WHERE id = ?", (case.id,))
        self.history.append(
            case.id, action.event, agent or "customer", detail, text, submission_key
        )
        if mails:
            self.outbox.enqueue(case.id, "status", action.target)
        if action.by_customer:
            self.outbox.enqueue_webhook(case.id, "case.customer_replied")
        if action.target is not None and action.target != case.status:
            self.outbox.enqueue_webhook(case.id, "case.status_changed")
        return self._existing("id = ?", case.id)

    # The customer's ways back in

    def reset_links(self, case: Case) -> Case:
        """Revoke every personal link sent for the case so far; later mail carries new ones."""
        with self.db.transaction():
            self.db.execute(
                "UPDATE cases SET link_version = link_version + 1 WHERE id = ?", (case.id,)
            )
            self.history.append(case.id, "links_reset", "customer")
            return self._existing("id = ?", case.id)

    def send_reference(self, case: Case) -> None:
        """Queue the confirmation, with the case reference, once more (the customer asked)."""
        with self.db.transaction():
            self.outbox.enqueue(case.id, "confirmation")

    # Retention

    def purgeable(self, older_than_days: int) -> list[Case]:
        """Finished cases untouched for longer than the retention period, not yet purged."""
        cutoff = self.clock.stamp(later_by_seconds=-older_than_days * 86400)
        rows = self.db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE status IN (?, ?) AND updated_at < ?"
            " AND purged_at IS NULL ORDER BY id",
            (*FINISHED, cutoff),
        )
        return [Case(**row) for row in rows]

    def purge(self, case: Case) -> list[str]:
        """Remove a finished case's personal data and photo records, keeping its anonymous
        event trail. Returns the photo files to delete once this has committed."""
        with self.db.transaction():
            return self.forget(case.id, "purged", "system")

    def forget(self, case_id: int, event: str, actor: str) -> list[str]:
        """Remove a case's personal data (``claims.store.personal``) inside the caller's
        transaction and record it as `event`; returns the photo files to delete after commit."""
        names = forget_case(self.db, case_id)
        self.search.forget(case_id)
        self.db.execute(
            "UPDATE cases SET purged_at = ? WHERE id = ?", (self.clock.stamp(), case_id)
        )
        self.history.append(case_id, event, actor, f"{len(names)} photo(s)")
        return names
