"""The JSON API (/api/v1/), over the same selectors and services as the pages: one NinjaAPI, one
router per topic mounted here.

django-ninja: the request and response types are pydantic schemas, and the OpenAPI document at
/api/v1/openapi.json is generated from those same types, so the schema cannot drift from the code.
Authentication: a bearer token (issued on the 令牌 page or by `jixiao manage api_token USER`) or
the browser session (with its CSRF token). Every refusal has one shape (`errors.py`). The
interactive documentation is the Chinese page at /api/v1/docs (`docs.py`, rendered on the server from this document).
"""

from __future__ import annotations

import copy

from ninja import NinjaAPI

from jixiao.web.api import audit, errors, glossary, jobs, publication, reviews, spot_checks, summaries, targets, tasks, units
from jixiao.web.api.common import AUTH


class Api(NinjaAPI):
    _documents: dict[str, dict] = {}  # the OpenAPI document by path prefix (get_openapi_schema)

    def get_openapi_operation_id(self, operation) -> str:
        """The operation's function name ("create_task", "post_accept"): what a generated client calls
        it (ninja's default prefixes the module path). Each is unique across the routers."""
        return operation.view_func.__name__

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """ninja's document with every schema, field, parameter and answer described in Chinese. Built
        once per process (it takes ninja about 0.4 s and the routes do not change); each caller gets
        its own copy."""
        key = path_prefix if path_prefix is not None else self.get_root_path(path_params or {})
        if key not in self._documents:
            self._documents[key] = glossary.describe(super().get_openapi_schema(path_prefix=key))
        return copy.deepcopy(self._documents[key])


api = Api(title="绩效自评系统 API", version="1", urls_namespace="api-v1", auth=AUTH, docs_url=None,
               description="预算绩效自评的数据接口：单位填报、财政审核、抽评、汇总、公开与审核服务。"
                           "所有拒绝均为同一格式 `{\"detail\": 说明, \"errors\": [{\"field\", \"message\"}]}`。")
errors.install(api)

# One line per topic; a new topic adds its router here.
ROUTERS = [units.router, tasks.router, reviews.router, spot_checks.router, summaries.router, jobs.router,
           publication.router, publication.public, audit.router]
for router in ROUTERS:
    api.add_router("", router)
api.add_router("/targets/", targets.router)  # approved performance targets (批复绩效目标)
