"""Ratings API (seed 004 §3.2.3 + moderation): parse -> access/service/selector ->
schema. No rules here. `/ratings/stats` is declared before `/ratings/{rating_id}`."""

from ninja import Query, Router, Status

from campus.accounts.auth import AuthedRequest, MaybeAuthedRequest, optional_auth
from campus.core.envelope import Envelope, PageEnvelope, created, ok
from campus.core.pagination import PageQuery
from campus.courses import access as course_access
from campus.ratings import access, presenters, public, selectors, services
from campus.ratings.schemas import (
    CanRateOut,
    ListQuery,
    ModerateIn,
    ModerationItemOut,
    RatingIn,
    RatingOut,
    RatingUpdateIn,
    StatsOut,
)

router = Router(tags=["ratings"])


@router.post(
    "/courses/{course_id}/ratings",
    response={201: Envelope(RatingOut)},
    summary="Rate a course I completed (once)",
)
def rating_create(request: AuthedRequest, course_id: int, payload: RatingIn) -> Status:
    user = request.auth
    course = course_access.get_course_for(user, course_id, action="view")
    enrollment = access.get_enrollment_to_rate(user, course, payload.enrollment_id)
    data = payload.dict(exclude={"enrollment_id"})
    review = services.rating_create(actor=user, enrollment=enrollment, **data)
    review.course = course
    return created(presenters.rating_row(review, viewer=user))


@router.get(
    "/courses/{course_id}/ratings",
    auth=optional_auth,
    response=PageEnvelope(RatingOut),
    summary="Approved reviews of a course (public)",
)
def rating_list(
    request: MaybeAuthedRequest, course_id: int, filters: Query[ListQuery], page: Query[PageQuery]
) -> dict:
    course = course_access.get_course_summary_for(request.auth, course_id)
    rows, pagination = public.approved_rows(
        course=course, sort=filters.sort, query=page, viewer=request.auth
    )
    return ok(rows, pagination=pagination)


@router.get(
    "/courses/{course_id}/ratings/stats",
    auth=optional_auth,
    response=Envelope(StatsOut),
    summary="Statistics over the approved reviews (public)",
)
def rating_stats(request: MaybeAuthedRequest, course_id: int) -> dict:
    course = course_access.get_course_summary_for(request.auth, course_id)
    return ok(presenters.course_stats(course))


@router.get(
    "/courses/{course_id}/ratings/{rating_id}",
    auth=optional_auth,
    response=Envelope(RatingOut),
    summary="One review (public when approved; the author sees their own)",
)
def rating_detail(request: MaybeAuthedRequest, course_id: int, rating_id: int) -> dict:
    review = access.get_rating_for(request.auth, course_id, rating_id)
    return ok(presenters.rating_row(review, viewer=request.auth))


@router.put(
    "/courses/{course_id}/ratings/{rating_id}",
    response=Envelope(RatingOut),
    summary="Edit my review (waits for moderation again under pre-moderation)",
)
def rating_update(
    request: AuthedRequest, course_id: int, rating_id: int, payload: RatingUpdateIn
) -> dict:
    review = access.get_rating_for(request.auth, course_id, rating_id, action="edit")
    changes = payload.dict(exclude_unset=True)
    updated = services.rating_update(actor=request.auth, review=review, **changes)
    updated.course = review.course
    return ok(presenters.rating_row(updated, viewer=request.auth))


@router.delete(
    "/courses/{course_id}/ratings/{rating_id}",
    response=Envelope(dict),
    summary="Delete my review",
)
def rating_delete(request: AuthedRequest, course_id: int, rating_id: int) -> dict:
    review = access.get_rating_for(request.auth, course_id, rating_id, action="edit")
    services.rating_delete(actor=request.auth, review=review)
    return ok({"id": rating_id, "deleted": True})


@router.get(
    "/enrollments/{enrollment_id}/can-rate",
    response=Envelope(CanRateOut),
    summary="May I rate this course? With the reason when not",
)
def can_rate(request: AuthedRequest, enrollment_id: int) -> dict:
    enrollment = access.get_own_enrollment_for(request.auth, enrollment_id)
    allowed, reason = selectors.can_rate(user=request.auth, enrollment=enrollment)
    mine = selectors.rating_of(enrollment=enrollment)
    return ok(
        {
            "can_rate": allowed,
            "reason": reason,
            "has_rated": mine is not None,
            "rating_id": mine.pk if mine else None,
            "rating_status": mine.status if mine else None,
        }
    )


@router.get(
    "/ratings/moderation",
    response=PageEnvelope(ModerationItemOut),
    summary="Pending reviews of the courses I teach (all of them for admins)",
)
def moderation_queue(request: AuthedRequest, page: Query[PageQuery]) -> dict:
    user = course_access.require_instructor(request.auth)
    result = selectors.moderation_page(user=user, query=page)
    rows = [presenters.moderation_row(r, viewer=user) for r in result.items]
    return ok(rows, pagination=result.pagination())


@router.post(
    "/ratings/{rating_id}/approve",
    response=Envelope(ModerationItemOut),
    summary="Approve a review (course owner, admins)",
)
def rating_approve(
    request: AuthedRequest, rating_id: int, payload: ModerateIn | None = None
) -> dict:
    review = access.get_rating_to_moderate(request.auth, rating_id)
    note = payload.note if payload else ""
    done = services.rating_moderate(actor=request.auth, review=review, approve=True, note=note)
    done.course = review.course
    return ok(presenters.moderation_row(done, viewer=request.auth))


@router.post(
    "/ratings/{rating_id}/reject",
    response=Envelope(ModerationItemOut),
    summary="Reject a review with an optional note (course owner, admins)",
)
def rating_reject(
    request: AuthedRequest, rating_id: int, payload: ModerateIn | None = None
) -> dict:
    review = access.get_rating_to_moderate(request.auth, rating_id)
    note = payload.note if payload else ""
    done = services.rating_moderate(actor=request.auth, review=review, approve=False, note=note)
    done.course = review.course
    return ok(presenters.moderation_row(done, viewer=request.auth))
