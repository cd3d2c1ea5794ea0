"""Each version says where it stands (issue 21): the head's return, the version sent on, the
bureau's return, the later version in review, the acceptance and the version holding the bureau's
opinion — on the unit's versions page and on the bureau's package page; never two versions both
reading 已报送财政."""

from __future__ import annotations

import re

from jixiao.web import versions
from jixiao.web.review import services as bureau_services

from .conftest import client_for
from .test_bureau import accept, latest, send


def _statuses(html: str, table_id: str | None = None) -> dict[int, str]:
    rows = re.findall(r"<tr><td>第(\d+)版</td><td class=\"version-status\">(.*?)(?:<br>.*?)?</td>", html)
    return {int(n): text for n, text in rows}


def test_every_version_has_its_own_status(world):
    pkg, prep, head = world["package"], world["preparer"], world["head"]
    versions.submit(package_id=pkg.pk, user=prep, version=pkg.version)  # 第1版
    versions.return_package(package_id=pkg.pk, user=head, note="请补充说明", comments=[])
    send(pkg, prep, head)  # 第2版 (the preparer's), 第3版 (sent)
    bureau_services.return_package(package_id=pkg.pk, user=world["bureau"], version=latest(pkg), reason="偏差分析不足")
    send(pkg, prep, head)  # 第4版, 第5版
    unit_page = client_for(head).get(f"/p/{pkg.pk}/versions/").content.decode()
    seen = _statuses(unit_page)
    assert seen == {1: "单位负责人已退回", 2: "单位负责人审核通过，作为第3版报送财政", 3: "财政已退回",
                    4: "单位负责人审核通过，作为第5版报送财政", 5: "已报送财政，财政审核中"}, seen
    bureau_page = client_for(world["bureau"]).get(f"/b/p/{pkg.pk}/").content.decode()
    assert _statuses(bureau_page) == seen
    accept(world, pkg)  # 第6版 carries the bureau's opinion
    seen = _statuses(client_for(head).get(f"/p/{pkg.pk}/versions/").content.decode())
    assert seen[5] == "财政审核通过，意见写入第6版" and seen[6] == "财政审核通过（含财政部门意见）", seen
    assert list(seen.values()).count("已报送财政，财政审核中") == 0
