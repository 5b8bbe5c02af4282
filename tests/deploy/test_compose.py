"""docker-compose.yml without a Docker engine: it parses, and agrees with the Dockerfile."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.deploy.helpers import REPO_ROOT, parse_dockerfile

pytestmark = pytest.mark.deploy

DURATION = re.compile(r"\d+(?:ms|s|m|h)")


@pytest.fixture(scope="module")
def app_service() -> dict:
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    built_here = [s for s in compose["services"].values() if s.get("build") == "."]
    assert len(built_here) == 1, "one service builds this repo's image"
    return built_here[0]


def test_compose_publishes_the_images_port(app_service: dict) -> None:
    port = parse_dockerfile().port()
    assert any(str(p).endswith(f":{port}") for p in app_service["ports"]), app_service["ports"]
    assert app_service["init"] is True  # tini as PID 1 forwards docker stop's SIGTERM


def test_compose_health_check_is_the_dockerfiles(app_service: dict) -> None:
    options, dockerfile_check = parse_dockerfile().healthcheck()
    check = app_service["healthcheck"]
    assert check["test"] == ["CMD", *dockerfile_check]
    for key in ("interval", "timeout", "start_period"):
        assert DURATION.fullmatch(check[key]), (key, check[key])
        assert check[key] == options[key.replace("_", "-")], key
    assert check["retries"] == int(options["retries"])


def test_compose_limits_cpu_and_memory(app_service: dict) -> None:
    limits = app_service["deploy"]["resources"]["limits"]
    assert float(limits["cpus"]) > 0
    assert re.fullmatch(r"\d+[kmg]", str(limits["memory"]).lower()), limits["memory"]
