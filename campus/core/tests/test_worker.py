"""A real Celery worker (with embedded beat) takes a task through a real broker: the
embedded filesystem transport and Redis. Run by `make test-worker` (CI)."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery

from campus.core.tasks import echo

pytestmark = pytest.mark.worker
REDIS_URL = os.environ.get("CAMPUS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _filesystem_broker(tmp: Path) -> dict[str, object]:
    folder = tmp / "broker"
    (folder / "queue").mkdir(parents=True)
    (folder / "processed").mkdir()
    (folder / "control").mkdir()
    return {
        "broker_url": "filesystem://",
        "broker_transport_options": {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
        },
        "result_backend": f"file://{tmp / 'results'}",
        "env": {
            "CAMPUS_VAR_DIR": str(tmp),
            "CELERY_BROKER_URL": "filesystem://",
            "CELERY_RESULT_BACKEND": f"file://{tmp / 'results'}",
        },
    }


def _redis_broker(tmp: Path) -> dict[str, object]:
    return {
        "broker_url": REDIS_URL,
        "broker_transport_options": {},
        "result_backend": REDIS_URL,
        "env": {
            "CAMPUS_VAR_DIR": str(tmp),
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_RESULT_BACKEND": REDIS_URL,
        },
    }


@pytest.fixture(params=["filesystem", "redis"])
def broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, object]]:
    config = (
        _filesystem_broker(tmp_path) if request.param == "filesystem" else _redis_broker(tmp_path)
    )
    (tmp_path / "results").mkdir(exist_ok=True)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "campus",
            "worker",
            "--beat",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "-s",
            str(tmp_path / "beat-schedule"),
        ],
        env={**os.environ, "DEBUG": "1", **config["env"]},  # type: ignore[dict-item]
        cwd=Path(__file__).resolve().parents[3],
    )
    try:
        yield config
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_a_real_worker_runs_a_task_sent_through_the_broker(broker: dict[str, object]) -> None:
    # A separate client app, so the project's app (eager in tests) is left untouched.
    client = Celery("probe", broker=broker["broker_url"], backend=broker["result_backend"])
    client.conf.broker_transport_options = broker["broker_transport_options"]
    result = client.send_task(echo.name, args=["bonjour"])
    assert result.get(timeout=60) == "bonjour"
