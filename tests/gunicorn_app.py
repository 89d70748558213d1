"""A bare WSGI app for the gunicorn logging test: no Django, no database."""


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
