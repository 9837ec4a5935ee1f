"""The claim service: customers file claims that become cases in a queued case log.

Nothing is imported here at the top: the help site's build reads ``claims.catalog`` and
should not load Flask and the whole service (database drivers, image codecs) to do so.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict | None = None) -> "Flask":
    """Assemble the application: settings, storage, mail (out and in), web plumbing, pages,
    commands."""
    from flask import Flask

    from claims import agent, cli, config, events, helpsite, mail, public, staged_photos, store, web
    from claims.mailin import fetcher

    app = Flask(__name__, instance_relative_config=True, static_url_path="/claims/static")
    app.config.from_object(config.Defaults)
    if test_config is None:
        app.config.from_prefixed_env("CLAIMS")
    else:
        app.config.update(test_config)
    config.finish(app)

    store.init_app(app)
    mail.init_app(app)
    fetcher.init_app(app)
    web.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(staged_photos.bp)
    app.register_blueprint(events.bp)
    app.register_blueprint(agent.bp)
    app.add_url_rule("/healthz", view_func=health)
    helpsite.init_app(app)
    cli.init_app(app)
    return app


def health():
    """For load balancers and uptime checks: the case log answers, or a 503 says it does not."""
    from claims.store import get_store
    from claims.store.connection import Unavailable

    try:
        get_store().cases.queue(limit=1)
    except Unavailable:
        return {"status": "unavailable"}, 503
    return {"status": "ok"}
