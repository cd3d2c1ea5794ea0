"""The web application's data, one module a topic: who works where (organisation), the yearly
evaluation tasks (tasks), a unit's package with its draft, versions, edits and comments (packages),
background jobs and their heartbeat (jobs), the bureau's review, 抽评, publication and 整改 (review),
and the 一体化 and outside-package imports (imports). A new model goes into the module of its topic
(or a new one) and is re-exported here, so `from jixiao.web.models import X` names every model.

The draft is the core's canonical package (the dict `jixiao.services.to_canonical` returns, the
same data `jixiao import` writes). Everything the dashboards need from a version (总分, 等次,
执行率, finding counts, profile digest) is copied onto the version when it is made, so lists never
re-score packages.
"""

from __future__ import annotations

from jixiao.web.models.imports import (
    ExecutionCheck,
    ExecutionFigure,
    ExecutionImport,
    ExecutionImportJob,
    PackageImport,
)
from jixiao.web.models.jobs import AuditJob, BatchJob, Counted, Heartbeat, JobState, RenderJob
from jixiao.web.models.organisation import BUREAU_ROLES, UNIT_ROLES, Bureau, Department, Role, Unit, User
from jixiao.web.models.packages import (
    EDITABLE_STATUSES,
    Comment,
    FieldEdit,
    ImmutableError,
    Package,
    Status,
    Submission,
)
from jixiao.web.models.review import BureauDecision, Publication, Rectification, SpotCheck, SpotScore
from jixiao.web.models.targets import ApprovedTarget, TargetCheck, TargetImport
from jixiao.web.models.tasks import EvaluationTask
from jixiao.web.models.tier import DepartmentAttachment, DepartmentDecision, DepartmentTier

__all__ = [
    "BUREAU_ROLES", "EDITABLE_STATUSES", "UNIT_ROLES",
    "ApprovedTarget", "AuditJob", "TargetCheck", "TargetImport", "BatchJob", "Bureau", "DepartmentAttachment", "DepartmentDecision", "DepartmentTier", "BureauDecision", "Comment", "Department", "EvaluationTask", "ExecutionCheck",
    "ExecutionFigure", "ExecutionImport", "ExecutionImportJob", "FieldEdit", "Heartbeat", "ImmutableError", "JobState", "Counted",
    "Package", "PackageImport", "Publication", "Rectification", "RenderJob", "Role", "SpotCheck", "SpotScore",
    "Status", "Submission", "Unit", "User",
]
