"""One URL pattern per path, whichever routers declare its methods.

django-ninja turns each router's path into its own Django URL pattern, and Django
stops at the first pattern that matches. When two routers declare the same path with
different methods (the seeds' `POST /enrollments` in courses, the MdSC frontend's
`GET /enrollments` in its compatibility router), the second router's method would
answer 405 forever. `merge_shared_paths` gives every pattern of such a path one view
that picks the operation by method across all the routers that declare it.

A path shared this way must be spelled the same in every router (same parameter
names, same converters): Django resolves the parameters with the first pattern.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponseBase, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver
from ninja.operation import PathView
from ninja.utils import normalize_path, replace_path_param_notation


def route_of(prefix: str, path: str) -> str:
    """The Django route string ninja builds for a router's path (BoundRouter.urls_paths)."""
    parts = (replace_path_param_notation(prefix), replace_path_param_notation(path))
    return normalize_path("/".join(part for part in parts if part)).lstrip("/")


def dispatch_by_method(path_views: list[PathView]) -> Any:
    """One view over several routers' operations on the same path."""
    allowed = sorted(
        {method for view in path_views for op in view.operations for method in op.methods}
    )

    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        for path_view in path_views:
            for operation in path_view.operations:
                if request.method in operation.methods:
                    return operation.run(request, *args, **kwargs)
        return HttpResponseNotAllowed(allowed, content=b"Method not allowed")

    view.csrf_exempt = True  # type: ignore[attr-defined]  # as ninja's own views
    return view


def merge_shared_paths(
    urls: list[URLPattern | URLResolver], routers: Iterable[tuple[str, dict[str, PathView]]]
) -> list[URLPattern | URLResolver]:
    """`urls` with every pattern of a path declared by several routers sent to one view.

    `routers` gives each mounted router's prefix and its path operations, in mount order.
    """
    views_by_route: dict[str, list[PathView]] = defaultdict(list)
    for prefix, path_operations in routers:
        for path, path_view in path_operations.items():
            views_by_route[route_of(prefix, path)].append(path_view)
    shared = {
        route: dispatch_by_method(views)
        for route, views in views_by_route.items()
        if len(views) > 1
    }
    if not shared:
        return urls
    merged: list[URLPattern | URLResolver] = []
    for url in urls:
        route = str(url.pattern)
        if isinstance(url, URLPattern) and route in shared:
            url = URLPattern(url.pattern, shared[route], url.default_args, url.name)
        merged.append(url)
    return merged
