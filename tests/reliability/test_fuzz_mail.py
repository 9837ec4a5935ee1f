"""Fuzzing the mail: whatever address the case log holds, its mail is sent or given up, and
never stops the mail of others."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from claims import create_app
from tests.reliability.fuzz_inputs import (
    any_value,
    clean_line,
    unmailable_emails,
    valid_emails,
)
from tests.reliability.fuzzing import (
    FUZZ,
    report,
)
from tests.support.cases import file_directly
from tests.support.mail import MailCatcher, mail_server

# ---------------------------------------------------------------------------------------------
# Mail to whatever address the log holds


def test_any_address_in_the_log_is_sent_or_given_up_and_never_stops_the_mail(tmp_path, capsys):
    """Cases filed past the form (an older version, by hand) may hold any text as their email:
    each round sends it or gives it up, and the mail queued behind it still goes out."""
    catcher = MailCatcher()
    answers = Counter()
    with mail_server(catcher, enable_SMTPUTF8=False) as port:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "fuzz-secret",
                "DATA_DIR": tmp_path / "data",
                "MAIL_BACKGROUND": False,
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": port,
            }
        )
        runner = app.test_cli_runner()

        @settings(FUZZ, max_examples=60)
        @given(st.one_of(any_value, unmailable_emails, valid_emails.map(clean_line)))
        def check(email):
            file_directly(app, email)
            behind = file_directly(app, "ana@example.com")
            result = runner.invoke(args=["claims", "send-mail"])
            assert result.exit_code == 0, result.output
            assert "still waiting 0." in result.output
            assert behind in catcher.messages[-1]["Subject"]
            answers["given up" if "Given up:" in result.output else "sent"] += 1

        try:
            check()
        finally:
            report(capsys, "mail to any address", answers)
