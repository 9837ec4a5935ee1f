"""Webhooks to the shop's other systems: a case was filed, the customer replied, a status
changed. Each is queued in the outbox with the change it tells of and delivered later, signed
the Standard Webhooks way (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``),
with the same id on every try so the receiver can drop repeats. A refused or failed try is
retried later, as mail is; after MOST_TRIES it is given up.
"""

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from standardwebhooks import Webhook

from claims.store import Store
from claims.store.records import Case, OutgoingMail

log = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 60
LONGEST_RETRY_SECONDS = 6 * 3600
MOST_TRIES = 12  # about two days of tries


def payload(event_type: str, case: Case, at: datetime) -> str:
    """What a webhook says: the event and the case as it is now (no personal data)."""
    return json.dumps(
        {
            "type": event_type,
            "timestamp": at.isoformat(),
            "data": {
                "reference": case.reference,
                "order_ref": case.order_ref,
                "claim_type": case.claim_type,
                "lane": case.lane,
                "status": case.status,
            },
        }
    )


def post(config: Mapping[str, Any], message_id: str, body: str) -> None:
    """Send one signed webhook; raises OSError (an HTTPError too) when it was not accepted."""
    now = datetime.now(UTC)
    signature = Webhook(config["WEBHOOK_SECRET"]).sign(message_id, now, body)
    request = urllib.request.Request(
        config["WEBHOOK_URL"],
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature,
        },
    )
    with urllib.request.urlopen(request, timeout=config["WEBHOOK_TIMEOUT"]):
        pass  # any 2xx answer: delivered (urlopen raises HTTPError for the others)


def deliver_webhooks(store: Store, config: Mapping[str, Any], due_only: bool = True) -> int:
    """Send the queued webhooks (only those due for a try, when due_only); returns how many
    were delivered."""
    if not config.get("WEBHOOK_URL"):
        return 0
    delivered, last_id = 0, 0
    while hook := store.outbox.claim_mail(due_only=due_only, after_id=last_id, webhooks=True):
        last_id = hook.id
        case = store.cases.case_by_id(hook.case_id)
        if case is None or case.purged_at:
            store.outbox.mail_dropped(hook)
            continue
        body = payload(hook.status or "", case, datetime.now(UTC))
        try:
            post(config, f"msg_{hook.id}", body)
        except OSError as error:
            settle_failure(store, hook, f"{type(error).__name__}: {error}")
        else:
            store.outbox.mail_sent(hook)
            delivered += 1
    return delivered


def settle_failure(store: Store, hook: OutgoingMail, reason: str) -> None:
    """Try again later, each time waiting twice as long, or give up after MOST_TRIES."""
    if hook.attempts + 1 >= MOST_TRIES:
        store.outbox.mail_given_up(hook, reason, "Webhook not delivered")
        log.warning("Webhook %s given up: %s", hook.id, reason)
        return
    delay = min(FIRST_RETRY_SECONDS * 2**hook.attempts, LONGEST_RETRY_SECONDS)
    store.outbox.mail_failed(hook, reason, delay)
    log.warning("Webhook %s not delivered, retrying in %ss: %s", hook.id, delay, reason)
