"""The MdSC contract's routers, mounted before the seeds' own routers (campus/api.py).

Mounted first so that the frontend's literal paths (`/courses/my`,
`/certificates/my-certificates`) are matched before a seeds' path with a parameter in
the same place (`/courses/{course_id}`). Their own parameters use the `int:` converter
where a seeds' route has a literal in that place (`/enrollments/me`). A path both sides
declare with different methods is dispatched as one (campus/core/routing.py).
"""

from ninja import Router

from campus.core.openapi import ExtraErrorStatuses
from campus.mdsc import auth, courses, forum, learning, live

ROUTERS: tuple[Router, ...] = (
    auth.router,
    courses.router,
    learning.router,
    live.router,
    forum.router,
)

EXTRA_ERROR_STATUSES: ExtraErrorStatuses = {
    **auth.extra_error_statuses,
    **courses.extra_error_statuses,
    **learning.extra_error_statuses,
    **live.extra_error_statuses,
    **forum.extra_error_statuses,
}
