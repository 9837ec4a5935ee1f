"""A customer's data on request: one export of everything held under their address, as they
saw it, and one erasure that leaves nothing of it in the log, its files, or the mail outbox."""

import hashlib
import json
import sqlite3
import zipfile

import pytest

from claims import create_app
from claims.store import get_store
from tests.support.actors import Agent, Customer
from tests.support.cases import cases
from tests.support.images import photo
from tests.support.mail import mail_server
from tests.support.personal_data import (
    ADDRESS,
    PersonalData,
    RefusingOnce,
    file_everything,
    files_holding,
    photo_hashes,
    places_holding,
)


@pytest.fixture
def mail_app(app_config):
    """The service with a real mail server that refuses the customer's first mail."""
    catcher = RefusingOnce()
    with mail_server(catcher) as port:
        app = create_app({**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port})
        yield app
        app.extensions["courier"].stop()


@pytest.fixture
def filed(mail_app) -> PersonalData:
    """Two cases of one customer with every kind of data, and one case of another customer."""
    sam = Agent(mail_app.test_client(), mail_app.test_cli_runner()).create()
    sam.sign_in()
    data = file_everything(mail_app, sam, PersonalData())
    other = Customer(mail_app.test_client())
    data.bystander = other.file(
        photos=[(photo("PNG", color=(10, 90, 200)), "bob.png")],
        email="bob@example.com",
        description="Bob's toaster has no plug at all.",
    )
    data.add(*photo_hashes(mail_app, data.references))
    return data


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["claims", *args])
    assert result.exit_code == 0, result.output
    return result.output


def export(app, address, tmp_path, name="export.zip"):
    out = tmp_path / name
    output = run(app, "customer-export", address, "--out", str(out))
    return zipfile.ZipFile(out), output


# Export


def test_export_holds_every_case_field_message_and_photo_as_the_customer_saw_them(
    mail_app, filed, tmp_path
):
    archive, output = export(mail_app, ADDRESS.upper(), tmp_path)
    assert "Exported 2 case(s)" in output
    document = json.loads(archive.read("cases.json"))
    exported = {case["reference"]: case for case in document["cases"]}
    assert list(exported) == filed.references

    with mail_app.app_context():
        store = get_store()
        for reference in filed.references:
            case = store.cases.case_by_reference(reference)
            record = exported[reference]
            assert record["order_reference"] == case.order_ref
            assert record["email"] == case.email
            assert record["description"] == case.description
            assert record["received_at"] == case.received_at
            # The history as the customer's page tells it: every event, message and photo name.
            seen = store.history.events(case.id, customer_view=True)
            assert [entry["at"] for entry in record["history"]] == [event.at for event in seen]
            messages = {entry["message"] for entry in record["history"]}
            told = " ".join(entry["what"] for entry in record["history"])
            for event in seen:
                assert event.text in messages or event.text in told
            stored = store.cases.photos(case.id)
            assert len(record["photos"]) == len(stored)
            for entry, kept in zip(record["photos"], stored, strict=True):
                content = archive.read(entry["file"])
                assert entry["sha256"] == kept.sha256 == hashlib.sha256(content).hexdigest()
                assert entry["original_name"] == kept.original_name
            # Logged in the case's own history, for agents.
            assert store.history.latest(case.id, "exported").actor == "system"

    first = exported[filed.references[0]]
    assert first["status"] == "Resolved"
    assert len(first["photos"]) == 3  # two with the claim, one with the reply
    said = {(entry["what"], entry["message"]) for entry in first["history"]}
    assert ("You answered:", "Here is the qx7 label, from Keizersgracht 7.") in said
    assert ("Resolved: Replacement sent.", "A new qx7 lid is on its way.") in said
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"555 0199" not in everything  # the internal note
    assert b"sam" not in archive.read("cases.json")  # no agent names
    assert b"mailbox unavailable" not in everything  # mail servers' answers are for agents
    assert b"bob" not in everything.lower()
    readme = archive.read("README.txt").decode()
    assert ADDRESS.upper() in readme and "2 case(s) and 4 photo(s)" in readme


@pytest.mark.config(CUSTOMER_EXPORT_AGENT_NAMES=True)
def test_export_names_the_agents_when_the_shop_says_so(mail_app, filed, tmp_path):
    archive, _ = export(mail_app, ADDRESS, tmp_path)
    history = json.loads(archive.read("cases.json"))["cases"][0]["history"]
    assert {entry.get("agent") for entry in history} == {None, "sam"}
    assert b"555 0199" not in archive.read("cases.json")  # notes stay internal all the same


def test_an_address_without_cases_gets_a_plain_answer_and_no_file(app, tmp_path):
    out = tmp_path / "nobody.zip"
    exported = run(app, "customer-export", "nobody@example.com", "--out", str(out))
    assert exported == "No cases were filed with nobody@example.com; nothing to export.\n"
    assert not out.exists() and list(tmp_path.iterdir()) == [tmp_path / "data"]
    erased = run(app, "customer-erase", "nobody@example.com")
    assert "No cases were filed with nobody@example.com" in erased


def test_export_never_overwrites_a_file_and_refuses_an_empty_address(app, customer, tmp_path):
    customer.file()
    out = tmp_path / "taken.zip"
    out.write_bytes(b"the operator's own file")
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["claims", "customer-export", "ana@example.com", "--out", out])
    assert refused.exit_code == 1 and "exists already" in refused.output
    assert out.read_bytes() == b"the operator's own file"
    nowhere = runner.invoke(
        args=["claims", "customer-export", "ana@example.com", "--out", tmp_path / "no" / "a.zip"]
    )
    assert nowhere.exit_code == 1 and "There is no folder" in nowhere.output
    for command in ("customer-export", "customer-erase"):
        blank = runner.invoke(args=["claims", command, " \x00 "])
        assert blank.exit_code == 2 and "give the customer's email address" in blank.output


# Erasure


def test_erasure_leaves_no_value_in_any_table_column_file_export_or_outbox(
    mail_app, filed, tmp_path
):
    data_dir = mail_app.config["DATA_DIR"]
    on_sqlite = mail_app.config["DATABASE_URL"].startswith("sqlite")
    with mail_app.app_context():
        assert places_holding(get_store(), filed.values)  # the search finds them before
    photos_before = {path for path in (data_dir / "photos").rglob("*") if path.is_file()}
    if on_sqlite:  # another worker's connection, open as in a running service: the
        # write-ahead log is not removed when the command's own connection closes
        worker = sqlite3.connect(data_dir / "claims.sqlite3", isolation_level=None)
        worker.execute("SELECT COUNT(*) FROM cases").fetchone()

    output = run(mail_app, "customer-erase", f"  {ADDRESS.lower()}\x07 ")
    assert f"Erased 2 case(s) of {ADDRESS.lower()} (1 closed first)." in output

    with mail_app.app_context():
        assert places_holding(get_store(), filed.values) == []
    assert files_holding(data_dir, filed.values) == []
    if on_sqlite:
        worker.execute("VACUUM")
        worker.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert files_holding(data_dir, filed.values) == []
        worker.close()
    # Only the bystander's photo file is left.
    [left] = [path for path in (data_dir / "photos").rglob("*") if path.is_file()]
    assert left in photos_before
    everything = run(mail_app, "export") + run(mail_app, "outbox")
    assert not [value for value in filed.values if value.lower() in everything.lower()]
    after = run(mail_app, "customer-export", ADDRESS, "--out", str(tmp_path / "after.zip"))
    assert "No cases were filed" in after


def test_erasure_keeps_the_anonymous_trail_purge_keeps_and_closes_open_cases(mail_app, filed):
    before = {case["reference"]: case for case in cases(mail_app.test_cli_runner())}
    run(mail_app, "customer-erase", ADDRESS)
    after = {case["reference"]: case for case in cases(mail_app.test_cli_runner())}
    for reference in filed.references:
        kept, was = after[reference], before[reference]
        for name in ("claim_type", "lane", "received_at"):
            assert kept[name] == was[name]
        assert kept["email"] == kept["order_ref"] == kept["description"] == ""
        assert kept["photos"] == [] and kept["purged_at"]
        assert kept["link_version"] == was["link_version"] + 1  # personal links revoked
        assert [event["at"] for event in kept["events"][: len(was["events"])]] == [
            event["at"] for event in was["events"]
        ]
        assert all(event["text"] == "" for event in kept["events"])
        assert kept["status"] == "closed" or was["status"] == "resolved"
    resolved, still_open = (after[reference] for reference in filed.references)
    assert resolved["status"] == "resolved"
    assert [event["kind"] for event in resolved["events"]][-1] == "erased"
    closing, erased = still_open["events"][-2:]
    assert closing["kind"] == "closed"
    assert closing["detail"] == "the customer asked for their data to be erased"
    assert erased == {**erased, "kind": "erased", "actor": "system", "detail": "1 photo(s)"}
    assert after[filed.bystander]["email"] == "bob@example.com"
    assert len(after[filed.bystander]["photos"]) == 1


def test_erasure_sends_no_mail_and_drops_mail_queued_for_the_address(mail_app, filed):
    with mail_app.app_context():
        queued = [mail for mail in get_store().outbox.unsent_mail() if not mail.failed_at]
    assert {mail.reference for mail in queued} >= {filed.references[0]}  # the resolution news
    run(mail_app, "customer-erase", ADDRESS)
    sent = run(mail_app, "send-mail")
    assert "Sent 1, given up 0, still waiting 0." in sent  # the bystander's confirmation only


def test_dry_run_lists_what_would_go_and_changes_nothing(mail_app, filed):
    before = run(mail_app, "export")
    listed = run(mail_app, "customer-erase", ADDRESS, "--dry-run")
    first, second = filed.references
    assert f"{first}  resolved" in listed and "3 photo(s)" in listed
    assert f"{second}  waiting           closed first; 1 photo(s)" in listed
    assert "Would erase 2 case(s)" in listed
    assert run(mail_app, "export") == before


def test_erasing_again_changes_nothing(mail_app, filed):
    run(mail_app, "customer-erase", ADDRESS)
    after_first = run(mail_app, "export")
    again = run(mail_app, "customer-erase", ADDRESS)
    assert "No cases were filed with" in again
    assert run(mail_app, "export") == after_first


def test_a_photo_missing_from_the_store_shows_as_missing_in_the_export(app, customer, tmp_path):
    customer.file(photos=[(photo("JPEG"), "lid.jpg"), (photo("PNG"), "box.png")])
    [lid, box] = cases(app.test_cli_runner())[0]["photos"]
    (app.config["PHOTO_DIR"] / lid["stored_name"]).unlink()  # lost with a disk, say
    archive, _ = export(app, "ana@example.com", tmp_path)
    [case] = json.loads(archive.read("cases.json"))["cases"]
    missing, kept = case["photos"]
    assert missing["file"] is None and missing["sha256"] is None
    assert missing["original_name"] == "lid.jpg"
    assert hashlib.sha256(archive.read(kept["file"])).hexdigest() == kept["sha256"] == box["sha256"]
