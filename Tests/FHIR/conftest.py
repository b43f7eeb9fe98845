"""Fixtures for the FHIR suite: one demo home served for the whole run, and its NDJSON export."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from fhir_home import Home

REPO = Path(__file__).resolve().parents[2]


def pytest_addoption(parser):
    parser.addoption("--appliance", default=os.environ.get("CAREHOME_APPLIANCE", str(REPO / ".build" / "appliance")),
                     help="the appliance tree built by `make build` (bin/carehome, plugins/)")


@pytest.fixture(scope="session")
def appliance(request) -> Path:
    return Path(request.config.getoption("--appliance")).resolve()


@pytest.fixture(scope="session")
def demo(appliance, tmp_path_factory):
    home = Home.demo(appliance, tmp_path_factory.mktemp("demo-home"))
    yield home
    home.stop()


@pytest.fixture(scope="session")
def demo_export(demo, tmp_path_factory):
    """The demo home exported by `carehome export fhir`: {type: [resource, …]}."""
    return demo.export(tmp_path_factory.mktemp("demo-export"))
