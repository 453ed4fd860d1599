"""MdSC frontend contract: forum and ratings.

No route of its own: every forum and ratings call of the frontend has the seeds' path, so
the seeds' handlers serve it (their rows carry the frontend's field names besides the
canonical ones: `content`, `user_id`, `first_name`/`last_name`, `has_upvoted`/
`has_downvoted`; `sort=pinned` on the topic list). The router stays for calls to come.
"""

from collections.abc import Callable
from typing import Any

from ninja import Router

router = Router(tags=["MdSC frontend"])

# Statuses no rule of campus/core/openapi.py can see (429 where a limit is checked, ...),
# by operation function, merged into the API's EXTRA_ERROR_STATUSES.
extra_error_statuses: dict[Callable[..., Any], set[int]] = {}
