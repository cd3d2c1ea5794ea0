"""The year's open data is one function (`web.publication.year_open_data`) behind both the public
download (/public/<year>/opendata.zip) and the API (/api/v1/open/data/<year>): the two serve the same
descriptor and the same rows."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from django.test import Client

from .conftest import client_for
from .test_bureau import accept, sent  # noqa: F401 - `sent` is the fixture of a sent package


def test_the_api_and_the_public_download_serve_the_same_open_data(sent):  # noqa: F811
    pkg = accept(sent, sent["package"])
    assert client_for(sent["bureau"]).post(f"/b/p/{pkg.pk}/decide", {"action": "publish"}).status_code == 302
    anon = Client()
    archive = zipfile.ZipFile(io.BytesIO(anon.get("/public/2023/opendata.zip").content))
    api = anon.get("/api/v1/open/data/2023").json()
    assert api["datapackage"] == json.loads(archive.read("datapackage.json"))
    csvs = [n for n in archive.namelist() if n.endswith(".csv")]
    assert csvs and set(api["tables"]) == set(csvs)
    for name in csvs:
        assert api["tables"][name] == list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    assert any("某县林业局" in json.dumps(rows, ensure_ascii=False) for rows in api["tables"].values())
    assert anon.get("/api/v1/open/data/1999").status_code == 404  # no publication that year
