"""A real Celery worker (with embedded beat) takes a task through a real broker: the
embedded filesystem transport and Redis. Run by `make test-worker` (CI)."""

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from celery import Celery

from campus.core.tasks import echo

pytestmark = pytest.mark.worker
REDIS_URL = os.environ.get("CAMPUS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@dataclass(frozen=True)
class Broker:
    url: str
    transport_options: dict[str, str]
    result_backend: str

    def worker_env(self, var_dir: Path) -> dict[str, str]:
        return {
            "CAMPUS_VAR_DIR": str(var_dir),
            "CELERY_BROKER_URL": self.url,
            "CELERY_RESULT_BACKEND": self.result_backend,
        }


def _filesystem_broker(tmp: Path) -> Broker:
    # The same folders the worker derives from CAMPUS_VAR_DIR=tmp in settings.
    folder = tmp / "broker"
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir(parents=True)
    return Broker(
        url="filesystem://",
        transport_options={
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
        },
        result_backend=f"file://{tmp / 'results'}",
    )


def _redis_broker(tmp: Path) -> Broker:
    return Broker(url=REDIS_URL, transport_options={}, result_backend=REDIS_URL)


@pytest.fixture(params=["filesystem", "redis"])
def broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Broker]:
    make = _filesystem_broker if request.param == "filesystem" else _redis_broker
    config = make(tmp_path)
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
        env={**os.environ, "DEBUG": "1", **config.worker_env(tmp_path)},
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


def test_a_real_worker_runs_a_task_sent_through_the_broker(broker: Broker) -> None:
    # A separate client app, so the project's app (eager in tests) is left untouched.
    client = Celery("probe", broker=broker.url, backend=broker.result_backend)
    client.conf.broker_transport_options = broker.transport_options
    result = client.send_task(echo.name, args=["bonjour"])
    assert result.get(timeout=60) == "bonjour"
