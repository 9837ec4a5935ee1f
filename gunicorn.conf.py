"""gunicorn reads this file from the directory it is started in (`make run`, the deployment
commands in README.md): each worker starts the service's background threads (the mail
courier, the mailbox fetcher) as soon as it is ready, so replies are fetched even while no
request comes in. Without this file they start with a worker's first request."""


def post_worker_init(worker) -> None:
    """The worker has loaded the app (``wsgi:app``): start its background threads."""
    app = worker.wsgi
    for name in ("courier", "fetcher"):
        app.extensions[name].ensure_running()
