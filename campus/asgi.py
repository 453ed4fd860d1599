"""ASGI entry point, for servers that speak ASGI (uvicorn, granian --interface asgi).
Campus's views are synchronous: Django runs them in a thread pool. `make run` serves
WSGI (campus.wsgi); docs/performance.md compares the servers."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campus.settings")
application = get_asgi_application()

from campus.core.checks import refuse_unsafe_production  # noqa: E402

refuse_unsafe_production()
