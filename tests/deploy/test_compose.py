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
    assert list(compose["services"]) == ["app"], compose["services"].keys()
    return compose["services"]["app"]


def test_compose_builds_this_repo_and_publishes_8501(app_service: dict) -> None:
    assert app_service["build"] == "."
    assert "8501:8501" in app_service["ports"]
    assert app_service["init"] is True


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
