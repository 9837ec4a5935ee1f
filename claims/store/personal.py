"""Where the case log keeps a customer's personal data, and how a case forgets it.

A purge (past the retention period) and an erasure (the customer asked) forget a case the same
way, with ``FORGET_CASE``: every statement runs with the case's id, inside the caller's
transaction. What stays is the anonymous trail: the case's reference, type, lane, status and
times, and its events (whose details are never personal). A new table or column that holds
personal data of a case is one more statement here; the erasure tests search every table and
text column of the schema for erased values, so one left out fails there.

The help site's counts (``help_events``) belong to no case and hold nothing personal: words
that could name someone are dropped before they are counted (``claims.site_events``).
"""

from claims.store.connection import Connection

# The files of a case's photos, read before their records go (they are deleted after commit).
PHOTO_FILES = "SELECT stored_name FROM photos WHERE case_id = ? ORDER BY id"

FORGET_CASE = (
    # Photo records: the customer's file names, sizes and checksums.
    "DELETE FROM photos WHERE case_id = ?",
    # Messages: replies, questions, notes and mail servers' answers quoting the address.
    "DELETE FROM messages WHERE case_id = ?",
    # Email the customer sent about the case, as received (claims.store.inbound).
    "DELETE FROM inbound_mail WHERE case_id = ?",
    # Mail not sent yet would go to an address that is no longer there.
    "DELETE FROM outbox WHERE case_id = ? AND sent_at IS NULL",
    "UPDATE outbox SET last_error = NULL WHERE case_id = ?",
    # Forms' keys that tell a form sent twice: of no use once the case is forgotten.
    "UPDATE events SET submission_key = NULL WHERE case_id = ?",
    # The case's submission key is a hash of the form's contents: replaced by a value derived
    # from the reference, which stays unique. A new link version revokes every personal link.
    "UPDATE cases SET order_ref = '', order_key = '', email = '', description = '',"
    " submission_key = 'forgotten ' || reference, link_version = link_version + 1"
    " WHERE id = ?",
)


def forget_case(db: Connection, case_id: int) -> list[str]:
    """Remove a case's personal data inside the caller's transaction; returns the photo files
    to delete once it has committed."""
    names = [row["stored_name"] for row in db.execute(PHOTO_FILES, (case_id,))]
    for statement in FORGET_CASE:
        db.execute(statement, (case_id,))
    return names
