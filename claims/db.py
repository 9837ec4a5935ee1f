"""One case-log connection per request (or CLI command), closed when it ends."""

from flask import Flask, current_app, g

from claims.caselog import CaseLog


def get_caselog() -> CaseLog:
    """The case log for this application context, opened on first use."""
    if "caselog" not in g:
        g.caselog = CaseLog(current_app.config["DATABASE_URL"])
    return g.caselog


def close_caselog(error: BaseException | None = None) -> None:
    caselog = g.pop("caselog", None)
    if caselog is not None:
        caselog.close()


def init_app(app: Flask) -> None:
    """Close connections after each request and bring the tables to the current schema."""
    app.teardown_appcontext(close_caselog)
    caselog = CaseLog(app.config["DATABASE_URL"])
    try:
        caselog.upgrade_schema()
    finally:
        caselog.close()
