"""What tests and benchmarks share, importable (fixtures stay in ``tests/conftest.py``).

- ``site``: build the help site (or a copy of the project), serve it quietly.
- ``browser``: Debian's Chromium, waiting for settled pages, axe-core.
- ``service``: test settings, PostgreSQL schemas, the real service under gunicorn, the CLI.
- ``actors``: a customer and an agent using the service through a test client.
- ``mail``: a real SMTP server on loopback that keeps what it receives.
- ``imap``: a real Dovecot for the run, a mailbox per test; ``replies``: replies as Gmail,
  Apple Mail, Outlook and Thunderbird write them, auto-replies and bounces; ``helpdesk``: a
  service wired to both, with the steps email tests repeat.
- ``cases``: what the case log holds, read as an operator would.
- ``claim_client``: a customer's browser over real HTTP (for load and crash tests).
- ``images``: photos and byte-level image builders; ``processes``: gunicorn workers from /proc.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI") == "true"
