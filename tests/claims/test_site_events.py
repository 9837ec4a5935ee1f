"""POST /claims/events: the help site's reports are counted, strictly read, same-origin only,
rate-limited and stripped of anything personal before storing."""

import json

import pytest

from claims.store import open_store

SAME_ORIGIN = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
PAGE = "http://localhost/problems-with-an-item/"
QUESTION = "what-if-i-receive-an-item-with-missing-components"


def send(client, report, headers=SAME_ORIGIN, **options):
    body = report if isinstance(report, (str, bytes)) else json.dumps(report)
    # As navigator.sendBeacon sends a string: text/plain, so no preflight is needed.
    return client.post(
        "/claims/events", data=body, content_type="text/plain", headers=headers, **options
    )


def stored(app) -> list[tuple]:
    with open_store(app.config) as store:
        rows = store.connection.execute(
            "SELECT kind, subject, detail, count FROM help_events ORDER BY kind, subject, detail"
        ).fetchall()
    return [(r["kind"], r["subject"], r["detail"], r["count"]) for r in rows]


def test_searches_and_opened_results_are_counted_lower_cased_and_trimmed(app, client):
    for _ in range(2):
        response = send(client, {"event": "search", "term": "  Refund  ", "results": 3})
        assert response.status_code == 204
        assert "Set-Cookie" not in response.headers
    assert send(client, {"event": "search", "term": "Warranty", "results": 0}).status_code == 204
    opened = {"event": "open", "term": "refund", "page": "/returns-and-refunds/"}
    assert send(client, opened).status_code == 204
    assert stored(app) == [
        ("open", "refund", "/returns-and-refunds/", 1),
        ("search", "refund", "found", 2),
        ("search", "warranty", "none", 1),
    ]


def test_emails_order_and_case_references_are_dropped_before_storing(app, client):
    personal = [
        "ana.lopez@example.com refund",
        "#A7731 refund",
        "refund 100234",
        "HC-7KQ4-M2XD-9PRT refund",
        "hc 7kq4 m2xd 9prt refund",
        "refund +44 7700 900123",
    ]
    for term in personal:
        assert send(client, {"event": "search", "term": term, "results": 1}).status_code == 204
    only_personal = {"event": "search", "term": "ana@example.com", "results": 1}
    assert send(client, only_personal).status_code == 204
    note = {
        "event": "helpful",
        "page": "/problems-with-an-item/",
        "question": QUESTION,
        "answer": "no",
        "missing": "Mail me at ana@example.com about order 55012, case HC-7KQ4-M2XD-9PRT",
    }
    assert send(client, note).status_code == 204
    rows = stored(app)
    assert ("search", "refund", "found", len(personal)) in rows
    assert ("missing", f"/problems-with-an-item/#{QUESTION}", "mail me at about order case", 1) in (
        rows
    )
    everything = json.dumps(rows).lower()
    for trace in ("ana", "example.com", "a7731", "100234", "7kq4", "900123", "55012"):
        assert trace not in everything


@pytest.mark.parametrize(
    "report",
    [
        "not json",
        "[]",
        "null",
        {"event": "purchase", "term": "x", "results": 1},
        {"event": "search", "term": "x"},
        {"event": "search", "term": "x", "results": 1, "email": "a@example.com"},
        {"event": "search", "term": 7, "results": 1},
        {"event": "search", "term": "x", "results": "3"},
        {"event": "search", "term": "x", "results": True},
        {"event": "search", "term": "x", "results": -1},
        {"event": "search", "term": "x" * 101, "results": 1},
        {"event": "open", "term": "x", "page": "https://evil.example/"},
        {"event": "open", "term": "x", "page": "/a/../../etc/"},
        {"event": "helpful", "page": "/faq/", "question": "q", "answer": "maybe"},
        {"event": "helpful", "page": "/faq/", "question": "<script>", "answer": "yes"},
        {"event": "helpful", "page": "/faq/", "question": "q", "answer": "no", "missing": 5},
        {
            "event": "helpful",
            "page": "/faq/",
            "question": "q",
            "answer": "no",
            "missing": "m" * 301,
        },
    ],
)
def test_a_report_of_another_shape_is_refused_and_nothing_is_stored(app, client, report):
    response = send(client, report)
    assert response.status_code == 400
    assert response.is_json and response.json["error"]
    assert stored(app) == []


def test_an_oversized_report_is_refused_unread(app, client):
    huge = json.dumps({"event": "search", "term": "x", "results": 1, "pad": "y" * 5000})
    assert send(client, huge).status_code == 413
    assert stored(app) == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "https://evil.example"},
        {"Origin": "https://evil.example", "Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "null"},
    ],
)
def test_a_report_not_from_our_pages_is_refused(app, client, headers):
    response = send(client, {"event": "search", "term": "refund", "results": 1}, headers=headers)
    assert response.status_code == 403
    assert stored(app) == []


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_EVENTS="5 per minute")
def test_a_flood_from_one_address_is_slowed(app, client):
    codes = [
        send(client, {"event": "search", "term": f"junk {n}", "results": 0}).status_code
        for n in range(8)
    ]
    assert codes == [204] * 5 + [429] * 3
    assert len(stored(app)) == 5


def test_the_plain_helpful_form_counts_and_returns_to_the_question(app, client):
    response = client.post(
        "/claims/events",
        data={"question": QUESTION, "answer": "no", "missing": "  How long it TAKES "},
        headers={"Origin": "http://localhost", "Referer": PAGE + "?q=1"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/problems-with-an-item/?helpful=thanks#{QUESTION}"
    assert "Set-Cookie" not in response.headers
    key = f"/problems-with-an-item/#{QUESTION}"
    assert stored(app) == [("helpful", key, "no", 1), ("missing", key, "how long it takes", 1)]


@pytest.mark.parametrize(
    "form, referer",
    [
        ({"question": QUESTION, "answer": "no"}, "https://evil.example/problems-with-an-item/"),
        ({"question": QUESTION, "answer": "no"}, None),
        ({"question": QUESTION, "answer": "perhaps"}, PAGE),
        ({"question": "../x", "answer": "yes"}, PAGE),
        ({"question": QUESTION, "answer": "yes", "email": "a@example.com"}, PAGE),
    ],
)
def test_a_wrong_helpful_form_is_refused(app, client, form, referer):
    headers = {"Origin": "http://localhost"} | ({"Referer": referer} if referer else {})
    response = client.post("/claims/events", data=form, headers=headers)
    assert response.status_code == 400
    assert stored(app) == []
