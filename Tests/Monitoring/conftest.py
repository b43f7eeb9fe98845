"""Fixtures for the care group's monitoring test: three homes and one Prometheus for the whole run."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from care_group import CareGroup

REPO = Path(__file__).resolve().parents[2]


def pytest_addoption(parser):
    parser.addoption("--appliance", default=os.environ.get("CAREHOME_APPLIANCE", str(REPO / ".build" / "appliance")),
                     help="the appliance tree built by `make build` (bin/carehome, plugins/)")


@pytest.fixture(scope="session")
def group(request):
    care_group = CareGroup(Path(request.config.getoption("--appliance")))
    yield care_group
    care_group.stop()
