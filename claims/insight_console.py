"""The insight page for editors and leads: what customers search for and whether answers
help (from the help site's counts), and how the queue is doing against its targets.

Every figure is a table, shown with a chart of it (SVG drawn here, on the server) and
downloadable as CSV, for the date range and claim type chosen.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from flask.typing import ResponseReturnValue

from claims import csv_export
from claims.catalog import CLAIM_TYPES, LANES
from claims.forms import AGENT_ROLES, InsightFilterForm
from claims.store import Store, get_store
from claims.store.insight import Period

bp = Blueprint("insight", __name__, url_prefix="/insight")

DEFAULT_DAYS = 30


@dataclass
class Table:
    """One figure: its rows, and the bars of its chart (label, value)."""

    id: str
    title: str
    columns: list[str]
    rows: Sequence[Sequence[object]] = ()
    bars: Sequence[tuple[str, float]] = ()
    unit: str = ""


def may_see_insight() -> bool:
    return get_store().agents.agent_role(g.agent) in AGENT_ROLES


@bp.before_request
def require_role() -> None:
    """Editors and leads only (``claims.agent`` has checked the sign-in already)."""
    if not may_see_insight():
        abort(403)


@bp.app_context_processor
def insight_link() -> dict[str, Callable[[], bool]]:
    """Lets the console's menu show the insight page to those who may open it."""
    return {"may_see_insight": lambda: bool(g.get("agent")) and may_see_insight()}


def chosen_period(form: InsightFilterForm) -> Period:
    """The range and type asked for; the last DEFAULT_DAYS days when none (or a wrong
    one) was given."""
    today = get_store().queue_insight.clock.now().date()
    if form.errors:
        return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)
    end = form.end.data or today
    start = form.start.data or end - timedelta(days=DEFAULT_DAYS - 1)
    return Period(start, end, form.type.data or None)


def target_hours(lane: str) -> float:
    """How soon a lane's cases should have a first answer (``CLAIMS_TARGET_HOURS_*``)."""
    return current_app.config[f"TARGET_HOURS_{lane.upper()}"]


def hours(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def term_table(id: str, title: str, rows: list[dict]) -> Table:
    return Table(
        id,
        title,
        ["Search term", "Searches"],
        [[row["subject"], row["total"]] for row in rows],
        [(row["subject"], row["total"]) for row in rows],
    )


def help_tables(store: Store, period: Period) -> list[Table]:
    events = store.help_events
    helpful = events.helpfulness(period)
    return [
        term_table("top-searches", "Top searches", events.top_searches(period)),
        term_table(
            "no-results", "Searches with no results", events.searches_without_results(period)
        ),
        term_table(
            "never-opened",
            "Searches whose results nobody opened",
            events.searches_never_opened(period),
        ),
        Table(
            "helpfulness",
            "Was this helpful? per question",
            ["Question", "Yes", "No"],
            [[row["subject"], row["yes"], row["no"]] for row in helpful],
            [(row["subject"], row["no"]) for row in helpful],
            unit="answers “no”",
        ),
        Table(
            "missing",
            "What was missing, as readers wrote it",
            ["Question", "Note", "Times"],
            [[row["subject"], row["note"], row["total"]] for row in events.missing_notes(period)],
        ),
    ]


def queue_tables(store: Store, period: Period) -> list[Table]:
    queue = store.queue_insight
    filed = queue.filed_per_day(period)
    per_day: dict[str, int] = defaultdict(int)
    for row in filed:
        per_day[row["day"]] += row["cases"]
    waiting = queue.waiting_by_age(period.claim_type)
    lanes = queue.lane_times(period)
    lane_rows, lane_bars = [], []
    for times in lanes:
        target = target_hours(times.lane) if times.lane in LANES else None
        lane_rows.append(
            [
                times.lane,
                "–" if target is None else target,
                times.answered,
                hours(times.first_response_median),
                hours(times.first_response_p90),
                times.settled,
                hours(times.resolution_median),
                hours(times.resolution_p90),
            ]
        )
        lane_bars += [
            (f"{times.lane}: target", target or 0),
            (f"{times.lane}: median first answer", times.first_response_median or 0),
            (f"{times.lane}: 90% answered within", times.first_response_p90 or 0),
        ]
    return [
        Table(
            "filed",
            "Cases filed per day, by type",
            ["Day", "Claim type", "Cases"],
            [[row["day"], type_label(row["claim_type"]), row["cases"]] for row in filed],
            sorted(per_day.items()),
            unit="cases filed (all types shown)",
        ),
        Table(
            "waiting",
            "Waiting cases by age (now)",
            ["Age", "Cases"],
            [[band["age"], band["cases"]] for band in waiting],
            [(band["age"], band["cases"]) for band in waiting],
        ),
        Table(
            "lanes",
            "Time to first answer and to settling, per lane (hours)",
            [
                "Lane",
                "Target (hours to first answer)",
                "Cases answered",
                "Median hours to first answer",
                "90% answered within (hours)",
                "Cases settled",
                "Median hours to settle",
                "90% settled within (hours)",
            ],
            lane_rows,
            lane_bars,
            unit="hours",
        ),
    ]


def type_label(name: str) -> str:
    claim_type = CLAIM_TYPES.get(name)
    return claim_type.label if claim_type else name


def all_tables() -> tuple[InsightFilterForm, Period, list[Table]]:
    form = InsightFilterForm(request.args)
    form.validate()
    period = chosen_period(form)
    store = get_store()
    return form, period, help_tables(store, period) + queue_tables(store, period)


@bp.get("/")
def page() -> ResponseReturnValue:
    form, period, tables = all_tables()
    return (
        render_template("agent/insight.html", form=form, period=period, tables=tables),
        400 if form.errors else 200,
    )


@bp.get("/<table_id>.csv")
def table_csv(table_id: str) -> ResponseReturnValue:
    """One table of the page, as shown for the same filters, as CSV."""
    form, period, tables = all_tables()
    table = next((table for table in tables if table.id == table_id), None)
    if table is None or form.errors:
        abort(404 if table is None else 400)
    name = f"{table.id}-{period.first}-{period.last}.csv"
    return Response(
        csv_export.as_csv(table.columns, table.rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
