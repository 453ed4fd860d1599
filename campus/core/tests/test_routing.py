"""Two routers declaring one path with different methods answer as one path
(campus/core/routing.py), the way the MdSC contract's routers and the seeds' share paths."""

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import path
from ninja import Router

from campus.core.openapi import DocumentedNinjaAPI

seeds = Router()
compat = Router()


@compat.get("/things/mine")
def things_mine(request: HttpRequest) -> dict[str, object]:
    return {"from": "compat", "mine": True}


@compat.delete("/things/{thing_id}/leave")
def thing_leave_delete(request: HttpRequest, thing_id: int) -> dict[str, object]:
    return {"from": "compat", "thing_id": thing_id}


@compat.get("/things/{int:thing_id}/extra")
def thing_extra(request: HttpRequest, thing_id: int) -> dict[str, object]:
    return {"from": "compat", "thing_id": thing_id}


@seeds.get("/things/{thing_id}")
def thing_detail(request: HttpRequest, thing_id: int) -> dict[str, object]:
    return {"from": "seeds", "thing_id": thing_id}


@seeds.post("/things/{thing_id}/leave")
def thing_leave_post(request: HttpRequest, thing_id: int) -> dict[str, object]:
    return {"from": "seeds", "thing_id": thing_id}


@seeds.get("/things/me/extra")
def things_me_extra(request: HttpRequest) -> dict[str, object]:
    return {"from": "seeds", "me": True}


test_api = DocumentedNinjaAPI(urls_namespace="routing-test", docs_url=None)
test_api.add_router("", compat)  # mounted first, as campus/mdsc/api.py is
test_api.add_router("", seeds)

urlpatterns = [path("t/", test_api.urls)]

pytestmark = pytest.mark.urls(__name__)


def test_each_method_of_a_shared_path_reaches_its_own_router() -> None:
    client = Client()
    assert client.post("/t/things/7/leave").json() == {"from": "seeds", "thing_id": 7}
    assert client.delete("/t/things/7/leave").json() == {"from": "compat", "thing_id": 7}


def test_a_method_neither_router_declares_is_405_listing_both() -> None:
    response = Client().put("/t/things/7/leave")
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"DELETE", "POST"}


def test_a_literal_path_mounted_first_wins_over_a_parameter() -> None:
    assert Client().get("/t/things/mine").json() == {"from": "compat", "mine": True}
    assert Client().get("/t/things/3").json() == {"from": "seeds", "thing_id": 3}


def test_an_int_converter_leaves_a_literal_of_the_later_router_reachable() -> None:
    assert Client().get("/t/things/me/extra").json() == {"from": "seeds", "me": True}
    assert Client().get("/t/things/5/extra").json() == {"from": "compat", "thing_id": 5}


def test_both_methods_are_documented_under_one_path() -> None:
    paths = test_api.get_openapi_schema()["paths"]
    assert set(paths["/t/things/{thing_id}/leave"]) == {"post", "delete"}
