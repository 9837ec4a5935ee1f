"""The claim service: customers file claims that become cases in a queued case log."""

from flask import Flask

from claims import agent, cli, config, db, helpsite, mail, public, web


def create_app(test_config: dict | None = None) -> Flask:
    """Assemble the application: settings, storage, mail, web plumbing, pages, commands."""
    app = Flask(__name__, instance_relative_config=True, static_url_path="/claims/static")
    app.config.from_object(config.Defaults)
    if test_config is None:
        app.config.from_prefixed_env("CLAIMS")
    else:
        app.config.update(test_config)
    config.finish(app)

    db.init_app(app)
    mail.init_app(app)
    web.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(agent.bp)
    app.add_url_rule("/healthz", view_func=health)
    helpsite.init_app(app)
    cli.init_app(app)
    return app


def health():
    """For load balancers and uptime checks: the case log answers."""
    db.get_caselog().queue(limit=1)
    return {"status": "ok"}
