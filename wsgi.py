"""The claim service for gunicorn or any WSGI server: ``gunicorn wsgi:app``."""

from claims import create_app

app = create_app()
