"""The open data the public pages publish (/public/<year>/opendata.zip) is a valid Data Package:
frictionless validates its descriptor, and every CSV against its table schema (types, header,
row shape). Offline: the descriptor's `profile` names the Fiscal Data Package profile, which
frictionless would fetch from specs.frictionlessdata.io; the test takes that one key out (its value
is pinned) and validates the rest — the tables and their schemas — without the network."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
from django.test import Client

from .test_bureau import latest, sent  # noqa: F401 - the fixture, used by name

frictionless = pytest.importorskip("frictionless", reason="frictionless is in the dev extra: pip install -e '.[dev]'")


@pytest.fixture
def open_data(sent, tmp_path):  # noqa: F811 - the fixture
    """Both units' packages accepted and published; the year's open data downloaded and unzipped."""
    from jixiao.web.review import services as bureau_services

    world = sent
    for pkg in (world["package"], world["other_package"]):
        bureau_services.accept(package_id=pkg.pk, user=world["bureau"], version=latest(pkg), opinion="同意。",
                               signer="王审核", signed_on=date(2024, 7, 1))
        bureau_services.publish(package_id=pkg.pk, user=world["bureau"])
    response = Client().get("/public/2023/opendata.zip")
    assert response.status_code == 200
    folder = tmp_path / "opendata"
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(folder)
    return folder


def _offline(folder):
    """The descriptor without its remote profile, written beside the CSVs (its paths are relative)."""
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor.pop("profile") == "fiscal-data-package"
    path = folder / "datapackage.offline.json"
    path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    return path, descriptor


def test_the_published_open_data_validates_with_frictionless(open_data):
    path, descriptor = _offline(open_data)
    assert not list(frictionless.Package.metadata_validate(descriptor))  # the descriptor against the Data Package profile
    report = frictionless.validate(str(path))
    problems = [f"{task.name}: {e.type} {e.note}" for task in report.tasks for e in task.errors]
    problems += [f"{e.type} {e.note}" for e in report.errors]
    assert report.valid, "\n".join(problems)
    rows = {task.name: task.stats["rows"] for task in report.tasks}
    # two packages of three tables each (附件3 and 造林补助 …): every table's lines are there
    assert set(rows) == {"budget", "indicators", "scores"} and rows["scores"] >= 4 and rows["indicators"] >= 12


def test_a_cell_that_breaks_its_schema_is_caught(open_data):
    """The validation is real: a weight that is not a number fails it."""
    path, _ = _offline(open_data)
    csv_path = open_data / "indicators.csv"
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    head = lines[0].split(",")
    cells = lines[1].split(",")
    cells[head.index("weight")] = "五十"
    csv_path.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    report = frictionless.validate(str(path))
    assert not report.valid
    assert [e.type for task in report.tasks for e in task.errors] == ["type-error"]
