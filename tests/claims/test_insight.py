"""The insight page: the help site's counts and the queue's figures, on both databases, for
editors and leads only."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from claims.store import insight as insight_store
from claims.store import open_store
from claims.store.insight import Period
from tests.support.actors import Agent, Customer

DAY = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
RANGE = Period(date(2026, 11, 1), date(2026, 11, 30))


def store_at(app, moment: datetime):
    return open_store({**app.config, "CLOCK": lambda: moment})


def count_all(app, moment, keys):
    with store_at(app, moment) as store:
        for key in keys:
            store.help_events.count(*key)


def test_search_tables_count_terms_without_results_and_unopened(app):
    count_all(
        app,
        DAY,
        [("search", "refund", "found")] * 3
        + [("search", "warranty card", "none")] * 2
        + [("search", "return label", "found"), ("open", "refund", "/returns-and-refunds/")],
    )
    count_all(app, DAY - timedelta(days=40), [("search", "old term", "found")])
    with store_at(app, DAY) as store:
        events = store.help_events
        top = events.top_searches(RANGE)
        assert [(r["subject"], r["total"]) for r in top] == [
            ("refund", 3),
            ("warranty card", 2),
            ("return label", 1),
        ]
        assert [r["subject"] for r in events.searches_without_results(RANGE)] == ["warranty card"]
        assert [r["subject"] for r in events.searches_never_opened(RANGE)] == ["return label"]


def test_helpfulness_and_notes_per_question(app):
    question = "/problems-with-an-item/#what-if-i-receive-an-item-with-missing-components"
    count_all(
        app,
        DAY,
        [("helpful", question, "no")] * 2
        + [("helpful", question, "yes"), ("missing", question, "how long it takes")] * 1
        + [("missing", question, "how long it takes")],
    )
    with store_at(app, DAY) as store:
        (row,) = store.help_events.helpfulness(RANGE)
        assert (row["subject"], row["yes"], row["no"]) == (question, 1, 2)
        (note,) = store.help_events.missing_notes(RANGE)
        assert (note["note"], note["total"]) == ("how long it takes", 2)


def test_a_flood_of_new_terms_stops_at_the_days_quota(app, monkeypatch):
    monkeypatch.setattr(insight_store, "KEYS_PER_DAY", 5)
    with store_at(app, DAY) as store:
        taken = [store.help_events.count("search", f"junk {n}", "none") for n in range(8)]
        assert taken == [True] * 5 + [False] * 3
        assert store.help_events.count("search", "junk 0", "none")  # known keys still count
        rows = store.connection.scalar("SELECT COUNT(*) AS n FROM help_events")
        assert rows == 5
    count_all(app, DAY + timedelta(days=1), [("search", "tomorrow", "none")])


def test_purge_removes_help_counts_past_the_retention_period(app, runner):
    count_all(app, datetime.now(UTC) - timedelta(days=400), [("search", "ancient", "none")])
    count_all(app, datetime.now(UTC), [("search", "fresh", "none")])
    result = runner.invoke(args=["claims", "purge"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 help-site count(s)" in result.output
    with store_at(app, datetime.now(UTC)) as store:
        kept = store.connection.execute("SELECT subject FROM help_events").fetchall()
        assert [row["subject"] for row in kept] == ["fresh"]


def file_case(app, client, moment, claim_type="defective-item") -> str:
    app.config["CLOCK"] = lambda: moment
    return Customer(client).file(claim_type=claim_type)


def test_queue_figures_per_day_type_age_and_lane(app, client, runner):
    sam = Agent(app.test_client(), runner).create()
    assert sam.sign_in().status_code == 303
    first = file_case(app, client, DAY)
    second = file_case(app, client, DAY + timedelta(hours=1))
    file_case(app, client, DAY + timedelta(days=1), "return-request")
    app.config["CLOCK"] = lambda: DAY + timedelta(hours=4)
    for reference in (first, second):
        sam.act(reference, "take")
    sam.act(first, "ask_customer", message="Which colour did you order?")
    app.config["CLOCK"] = lambda: DAY + timedelta(hours=11)
    sam.act(second, "resolve", outcome="replacement", message="A new one is on its way.")
    now = DAY + timedelta(days=5)
    with store_at(app, now) as store:
        queue = store.queue_insight
        filed = queue.filed_per_day(RANGE)
        assert [(r["day"], r["claim_type"], r["cases"]) for r in filed] == [
            ("2026-11-20", "defective-item", 2),
            ("2026-11-21", "return-request", 1),
        ]
        only_returns = Period(RANGE.first, RANGE.last, "return-request")
        assert [r["cases"] for r in queue.filed_per_day(only_returns)] == [1]
        ages = {band["age"]: band["cases"] for band in queue.waiting_by_age()}
        assert ages == {"under 1 day": 0, "1–3 days": 0, "3–7 days": 1, "over 7 days": 0}
        lanes = {times.lane: times for times in queue.lane_times(RANGE)}
        priority = lanes["priority"]
        assert priority.answered == 2 and priority.settled == 1
        assert priority.first_response_median == pytest.approx((4 + 10) / 2)
        assert priority.resolution_median == pytest.approx(10)
        assert lanes["standard"].answered == 0 and lanes["standard"].first_response_p90 is None


def agent_with_role(app, runner, name: str, role: str | None) -> Agent:
    person = Agent(app.test_client(), runner, name)
    args = ["claims", "agent-add", name] + (["--role", role] if role else [])
    result = runner.invoke(args=args, input=person.password)
    assert result.exit_code == 0, result.output
    assert person.sign_in().status_code == 303
    return person


def test_only_editors_and_leads_see_the_insight_page(app, runner):
    plain = agent_with_role(app, runner, "sam", None)
    assert plain.client.get("/agent/insight/").status_code == 403
    assert plain.client.get("/agent/insight/top-searches.csv").status_code == 403
    assert "Insight" not in plain.client.get("/agent/").get_data(as_text=True)
    for name, role in (("eve", "editor"), ("leo", "lead")):
        person = agent_with_role(app, runner, name, role)
        assert "/agent/insight/" in person.client.get("/agent/").get_data(as_text=True)
        page = person.client.get("/agent/insight/")
        assert page.status_code == 200
        assert "Searches with no results" in page.get_data(as_text=True)
    # Running agent-add again without --role takes the role away.
    again = agent_with_role(app, runner, "eve", None)
    assert again.client.get("/agent/insight/").status_code == 403


def test_agent_add_refuses_an_unknown_role(runner):
    result = runner.invoke(args=["claims", "agent-add", "sam", "--role", "boss"], input="x" * 20)
    assert result.exit_code == 2
    assert "'editor'" in result.output and "'lead'" in result.output


def test_each_table_downloads_as_csv_with_formulas_defused(app, runner):
    today = datetime.now(UTC)
    count_all(app, today, [("search", "=cmd|' /c calc'!a0", "none"), ("search", "refund", "none")])
    lead = agent_with_role(app, runner, "leo", "lead")
    page = lead.client.get("/agent/insight/").get_data(as_text=True)
    assert "<svg" in page and 'role="img"' in page
    response = lead.client.get("/agent/insight/no-results.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Search term", "Searches"]
    assert sorted(rows[1:]) == [["'=cmd|' /c calc'!a0", "1"], ["refund", "1"]]
    assert lead.client.get("/agent/insight/nothing.csv").status_code == 404


def test_date_range_and_type_filter_the_figures_and_a_wrong_range_says_so(app, runner):
    count_all(app, DAY, [("search", "in range", "none")])
    count_all(app, DAY - timedelta(days=60), [("search", "before", "none")])
    lead = agent_with_role(app, runner, "leo", "lead")
    shown = lead.client.get("/agent/insight/?start=2026-11-01&end=2026-11-30&type=return-request")
    text = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert "in range" in text and "before" not in text
    wrong = lead.client.get("/agent/insight/?start=2026-11-30&end=2026-11-01")
    assert wrong.status_code == 400
    assert "The last day must be on or after the first day." in wrong.get_data(as_text=True)
    garbage = lead.client.get("/agent/insight/?start=yesterday&type=%3Cscript%3E")
    assert garbage.status_code == 400
    assert "<script>" not in garbage.get_data(as_text=True)
