"""The API described in Chinese: every schema, field, parameter and answer of the OpenAPI document
gets its Chinese description here, applied to the generated document (`describe`), so that the
document at /api/v1/openapi.json, the documentation page (`docs.py`) and a generated client all
read the same words.

The fields are described by their name (`FIELDS`); a name that means something else in one schema
is described under "Schema.field" (`IN_SCHEMA`). Code, paths and JSON keys inside a description are
written between backticks (the page shows them as code). tests/web/test_api_docs.py fails on any
schema, field, parameter or operation left without a Chinese description.
"""

from __future__ import annotations

import re

from jixiao.web.api.errors import BY_STATUS

MONEY = "两位小数的字符串，单位万元（如 `\"1550.78\"`）"
SCORE = "两位小数的字符串，单位分（如 `\"93.22\"`）"
RATE = "百分数，两位小数的字符串，单位 %（如 `\"48.00\"` 表示 48.00%）"
LABEL = "中文名称（供显示）"

SCHEMAS = {
    "Summary": "数据包概要：单位、年度、状态、总分、等次、执行率和审核发现的数目",
    "PackageOut": "数据包：概要加草稿全文（规范格式）",
    "Error": "错误答复：一切拒绝（4xx）的统一格式，一句说明加上每个有误的字段",
    "FieldError": "一个有误的字段及其说明",
    "Figure": "引擎计算的一个数字：数值、显示形式、单位、公式、输入和依据，以及单位填报数与之是否一致",
    "FindingOut": "一条审核发现",
    "EditOut": "修改一个字段的结果；被拒绝时（409 版本已变、422 值有误）同时带有统一的错误格式",
    "EditIn": "修改一个字段：字段位置、新值和所依据的版本号",
    "VersionOut": "一个已提交的版本：序号、状态、内容摘要、总分和等次",
    "VersionIn": "所依据的版本号",
    "OpinionIn": "单位负责人的审核意见",
    "UnitReturnIn": "单位负责人退回填报人：总的说明和对各字段的意见",
    "VersionContent": "一个版本的全部内容",
    "Problem": "导入的结果：是否成功、说明和逐条问题",
    "TaskOut": "一个自评任务",
    "TaskIn": "创建自评任务",
    "DeadlineIn": "新的报送截止日期",
    "TaskUnit": "任务中的一个参评单位及其数据包状态",
    "DashboardFilters": "自评情况表的筛选、排序和分页条件",
    "Dashboard": "自评情况表的一页",
    "Row": "自评情况表的一行（一个单位）",
    "ReviewOut": "财政审核中的数据包：单位最新报送的版本",
    "StatedFigure": "单位填报数与引擎计算数的对照",
    "CommentOut": "一条意见",
    "CommentIn": "写一条意见：对整个版本，或对某个字段",
    "DecisionOut": "一项财政审核决定（退回或审核通过）",
    "ReturnIn": "财政退回单位：所审版本和退回原因",
    "AcceptIn": "财政审核通过：所审版本、财政部门意见、签署人和签署日期",
    "RectificationOut": "一份整改通知",
    "RectificationIn": "发出整改通知：整改要求和整改期限",
    "SpotOut": "一个抽评样本",
    "Sheet": "抽评表：样本及其每个指标的行",
    "SheetLine": "抽评表的一行：一个指标的分值、自评得分、允许范围和抽评得分",
    "ScoresOut": "保存抽评评分的结果",
    "ScoreIn": "一个指标的抽评得分",
    "ScoresIn": "一组抽评得分（全部保存，或有误时全不保存）",
    "Supervisor": "一个可做部门汇总的主管部门",
    "RollupFigure": "部门汇总的一个数字",
    "RollupOut": "一个主管部门的部门汇总：纳入和未纳入的单位，以及汇总的各个数字",
    "UseOut": "结果应用的一行：数据包的等次及其应用",
    "BatchOut": "一个批量作业（批量审核或批量生成 PDF）的进度和结果",
    "ExecutionJobOut": "一体化执行数导入的进度",
    "PackageImportOut": "系统外数据包导入的进度和结果",
    "PublishedOut": "一份已公开的自评结果",
    "Listing": "已公开自评结果的查找和分页条件",
    "PublishedPage": "已公开自评结果的一页",
    "PublishedDetail": "一份已公开的自评结果（已脱敏）及其各表得分和意见",
    "PublishedTable": "公开结果中一张自评表的总分、等次和执行率",
    "OpenData": "年度公开数据：按财政数据包标准的数据包描述和各表的行",
    "AuditResult": "审核结果：每份文件一项，含审核发现和小结，与命令行审核的 JSON 结果相同",
    "AuditJobOut": "后台审核的进度和结果",
    "ImportOut": "批复绩效目标导入的结果",
    "TargetOut": "一条批复绩效目标",
    "DifferenceOut": "数据包与批复绩效目标的一处差异",
}

FIELDS = {
    "action": "决定代码：`return` 退回，`accept` 审核通过", "action_label": "决定的" + LABEL,
    "agrees": "单位填报数与计算数是否一致（没有填报数时为空）", "allowed_from": "规则允许的最低分，" + SCORE,
    "allowed_to": "规则允许的最高分，" + SCORE, "answer": "单位的整改答复", "at": "决定的时间（北京时间）",
    "author": "写意见的人", "budget_code": "单位的预算编码", "bureau_score": "抽评得分，" + SCORE,
    "code": "单位的预算编码", "comments": "对各字段的意见，每项含字段位置 `path` 和内容 `text`",
    "computed": "引擎计算数（显示形式）", "conflict": "版本冲突时的说明", "consequence": "按等次的结果应用",
    "contact": "联系人", "content": "内容全文（规范格式）", "content_hash": "内容摘要（十六进制）",
    "created_at": "提交时间（北京时间）", "created_by": "提交人", "datapackage": "数据包描述文件（财政数据包标准）",
    "days": "距报送截止日期的天数（文字）", "deadline": "报送截止日期，写成 `2024-06-30` 的形式；空表示不设",
    "detail": "一句中文说明", "difference": "抽评得分与自评得分之差，" + SCORE, "direction": "指标方向（正向、反向或等于）",
    "display": "数值的显示形式（千位分隔、两位小数，率带 %）", "documents": "每份文件一项：文件名、审核发现和小结",
    "done": "已完成的件数", "draft": "草稿全文（规范格式）", "due": "整改期限，写成 `2024-06-30` 的形式",
    "error": "失败时的原因；没有失败时为空", "errors": "错误级审核发现的数目",
    "execution_differences": "与一体化执行数不一致的处数", "execution_rate": "执行率，" + RATE,
    "expected": "批复的值", "field": "有误的字段（请求中的参数名）", "figure": "批复的目标值（数字部分）",
    "figures": "部门汇总的各个数字", "file": "上传的文件", "file_url": "压缩包的下载地址；尚未生成时为空",
    "filename": "上传的文件名", "flag": "筛选：`outrun` 得分率超过执行率，`errors` 有错误，`exec` 与一体化执行数不一致",
    "flagged": "有差异需核对的目标数", "form": "所在的表", "formula": "计算公式（中文）",
    "grade": "等次（优、良、中、差）", "hash_algorithm": "摘要算法的名称", "id": "编号", "included": "纳入汇总的单位",
    "inputs": "公式的各个输入：名称及其值", "items": "本页的结果", "job": "作业编号", "judged": "是否为评判数（由单位评定的得分）",
    "key": "数字或指标的标识（程序据此对应）", "kind": "数字的种类：`computed` 计算数，`ruled` 按规则计分，`judged` 评判数",
    "kind_label": "作业种类的" + LABEL, "label": "中文名称", "late": "是否已逾期", "left_out": "未纳入汇总的单位及原因",
    "level1": "一级指标", "level2": "二级指标", "lines": "抽评表的各行", "message": "一句中文说明", "name": "名称",
    "note": "说明", "notice": "整改通知编号", "number": "版本序号", "ok": "是否成功", "opinion": "审核意见",
    "opinions": "各方意见：角色、内容、签署人和日期", "outruns": "得分率是否超过执行率 5 个百分点以上",
    "package": "数据包编号", "page": "页码，从 1 开始", "page_size": "每页条数（1–500）", "pages": "总页数",
    "path": "字段位置（规范格式中的路径，程序据此对应）", "percent": "完成的百分比（0–100 的整数）", "phone": "联系电话（已脱敏）",
    "pk": "数据包编号", "problems": "逐条问题", "profile": "评分方案的标识", "profile_digest": "评分方案内容的摘要",
    "profile_title": "评分方案的名称", "project": "项目名称", "published_at": "公开时间（北京时间）",
    "q": "搜索词：单位名称的一部分或预算编码的开头", "rank": "风险排名（1 为风险最高）", "reason": "退回原因",
    "reasons": "抽中的理由", "refused": "未导入的行及原因", "result": "审核结果；尚未完成时为空", "result_version": "审核通过后写入意见的新版本序号",
    "results": "每个数据包的结果", "reviewable": "现在是否可以审核", "risk": "风险分，两位小数的字符串",
    "row": "文件中的行号", "rows": "本页的各行", "rule": "依据的规则", "saved": "保存的得分数",
    "score": "抽评得分，两位小数的字符串，单位分；空字符串表示清除", "scored": "已评分的指标数", "scores": "各指标的抽评得分",
    "self_score": "自评得分，" + SCORE, "severity": "级别：`error` 错误，`warning` 警告，`info` 提示", "sheet": "保存后的抽评表",
    "signed_on": "签署日期，写成 `2024-06-30` 的形式", "signer": "签署人", "sort": "排序的列，前加 `-` 为降序（如 `-total_score`）",
    "spot": "抽评样本编号", "state": "状态代码（程序据此判断）", "state_label": "状态的" + LABEL,
    "stated": "单位填报的值（数字按本接口的写法）", "status": "状态代码（程序据此判断）", "status_label": "状态的" + LABEL,
    "status_url": "查询进度的地址", "step": "当前步骤", "subordinates": "下属单位数", "summary": "小结",
    "supervisor": "主管部门", "table": "所在的表", "tables": "各表", "task": "自评任务编号", "text": "内容",
    "title": "名称", "total": "总数", "total_score": "总分，" + SCORE, "unit": "单位名称",
    "unit_ids": "参评单位的编号列表", "units": "参评单位数", "updated_at": "最后修改时间（北京时间）", "user": "作出决定的人",
    "value": "新值（文本，数字照常书写，如 `1550.78`）", "version": "版本号", "warnings": "警告级审核发现的数目",
    "weight": "分值，" + SCORE, "where": "位置（中文）", "year": "评价年度",
}

# Names that mean something else in one schema (or one operation's parameters).
IN_SCHEMA = {
    "Summary.task": "自评任务的名称", "PackageOut.task": "自评任务的名称",
    "Summary.version": "草稿的版本号（修改时带上它）", "PackageOut.version": "草稿的版本号（修改时带上它）",
    "EditOut.version": "修改后草稿的版本号", "EditOut.summary": "修改后的数据包概要", "EditOut.error": "被拒绝时的原因；成功时为空",
    "EditOut.errors": "被拒绝时每个有误的字段", "EditOut.detail": "被拒绝时的一句中文说明", "EditIn.version": "所依据的草稿版本号",
    "EditIn.path": "字段位置（规范格式中的路径，如 `income[0].total`）",
    "Problem.errors": "有误的字段", "Problem.detail": "被拒绝时的一句中文说明", "Error.errors": "每个有误的字段",
    "VersionOut.state": "版本状态代码：`pending` 待单位审核，`returned` 已退回，`approved` 已报送财政",
    "VersionContent.state": "版本状态代码：`pending` 待单位审核，`returned` 已退回，`approved` 已报送财政",
    "VersionIn.version": "所审版本的版本号", "TaskOut.title": "任务名称", "TaskIn.title": "任务名称",
    "TaskIn.profile": "评分方案的标识（见任务列表中的 `profile`）", "TaskUnit.package": "数据包编号；尚未开始时为空",
    "TaskUnit.name": "单位名称", "Supervisor.name": "单位名称", "Supervisor.id": "单位编号",
    "Figure.value": "数值：金额和得分为两位小数，率为百分数两位小数（单位见 `unit`）；不能计算时为空",
    "Figure.unit": "计量单位（万元、分、% 等）", "Figure.key": "数字的标识（程序据此对应）",
    "RollupFigure.value": "数值：金额和得分为两位小数，率为百分数两位小数（单位见 `unit`）；不能计算时为空",
    "RollupFigure.unit": "计量单位（万元、分、% 等）", "RollupFigure.key": "数字的标识（程序据此对应）",
    "TargetOut.unit": "计量单位", "TargetOut.code": "单位的预算编码", "TargetOut.name": "三级指标", "TargetOut.value": "目标值（原文）",
    "TargetOut.year": "年度", "TargetOut.weight": "分值，两位小数的字符串，单位分；未批复时为空",
    "StatedFigure.stated": "单位填报数，写法同 `Figure.value`：金额和得分为两位小数，率为百分数两位小数（单位见 `unit`）；"
                           "不是数字的（如等次）照单位所填",
    "StatedFigure.computed": "引擎计算数，写法同 `stated`（文字如等次照原样）；不能计算时为空",
    "StatedFigure.unit": "计量单位（万元、分、% 等）", "StatedFigure.key": "数字的标识（程序据此对应）",
    "StatedFigure.stated_display": "单位填报数的显示形式（千位分隔、两位小数，率带 %），同审核页面",
    "StatedFigure.computed_display": "引擎计算数的显示形式，同审核页面", "StatedFigure.kind": "数字的种类（中文）",
    "ReviewOut.task": "自评任务编号", "ReviewOut.version": "单位最新报送的版本序号；尚未报送时为空",
    "ReviewOut.content": "该版本的全部内容（规范格式）；尚未报送时为空",
    "ReturnIn.version": "所审版本的序号", "AcceptIn.version": "所审版本的序号", "CommentIn.version": "所审版本的序号",
    "CommentIn.path": "字段位置；空表示对整个版本", "CommentOut.path": "字段位置；空表示对整个版本",
    "CommentOut.version": "所评版本的序号", "DecisionOut.version": "所审版本的序号", "DecisionOut.text": "退回原因或财政部门意见",
    "RectificationOut.text": "整改要求", "RectificationIn.text": "整改要求", "RectificationOut.state": "状态代码（程序据此判断）",
    "SpotOut.version": "抽评的版本序号", "SheetLine.key": "指标的标识（保存评分时带上它）", "ScoreIn.key": "指标的标识（抽评表中的 `key`）",
    "SheetLine.label": "指标名称", "SheetLine.note": "抽评说明", "ScoreIn.note": "抽评说明",
    "BatchOut.kind": "作业种类代码", "BatchOut.task": "自评任务编号", "ExecutionJobOut.task": "自评任务编号",
    "PackageImportOut.task": "自评任务编号", "ExecutionJobOut.summary": "导入结果的小结",
    "PublishedOut.version": "公开的版本序号", "PublishedDetail.version": "公开的版本序号",
    "PublishedDetail.title": "标题", "PublishedDetail.content": "公开的内容全文（已脱敏，规范格式）",
    "PublishedTable.title": "表名", "OpenData.tables": "各表的行：以文件名为键，每行各列的值照原样",
    "AuditJobOut.result": "审核结果；尚未完成时为空", "AuditJobOut.done": "已审核的文件数", "AuditJobOut.total": "文件总数",
    "Listing.year": "评价年度；不填为全部年度", "ImportOut.rows": "读到的行数", "ImportOut.units": "涉及的单位数",
    "DifferenceOut.stated": "数据包中的值", "DifferenceOut.path": "字段位置（规范格式中的路径）",
    "UnitReturnIn.note": "退回说明", "OpinionIn.opinion": "单位负责人的审核意见（写入数据包的部门意见）",
    "Dashboard.total": "符合条件的单位数", "PublishedPage.total": "符合条件的结果数", "RollupOut.supervisor": "主管部门",
    "Row.deadline": "该单位适用的报送截止日期，写成 `2024-06-30` 的形式：主管部门的下属单位为主管部门规定的日期，"
                    "主管部门本身为财政局为其规定的日期，其他单位为任务的截止日期（`days` 据此计算）",
    "Row.package": "数据包编号", "Row.unit": "单位名称", "Row.supervisor": "主管部门名称", "TaskUnit.supervisor": "主管部门名称",
    "DifferenceOut.expected": "批复的值", "Problem.ok": "是否已导入", "Problem.message": "导入结果的一句中文说明",
    "Sheet.spot": "抽评样本",
    # multipart bodies: the upload's fields
    "MultiPartBodyParams.version": "所依据的草稿版本号", "MultiPartBodyParams.file": "上传的文件",
    "FileParams.file": "上传的文件",
}

# The parameters of one operation that mean something else than the field of that name.
PARAMETERS = {
    "unit": "主管部门的单位编号", "code": "单位的预算编码", "number": "版本序号", "year": "评价年度",
    "job": "作业编号", "status": "筛选：状态代码", "grade": "筛选：等次（优、良、中、差）",
}

WIRE_WORD = re.compile(r"(?<![\w.`-])[A-Za-z][A-Za-z0-9]*(?:[_-][A-Za-z0-9]+)*")


def as_code(message: str) -> str:
    """An API message for the documentation: its Latin words are header and field names (`If-Match`,
    `Authorization`) or formats, marked as code."""
    return WIRE_WORD.sub(lambda m: f"`{m.group(0)}`", message)


ANSWERS = {200: "成功", 201: "已创建", 202: "已接受，转入后台处理；按 `status_url` 查询进度", 204: "成功，没有内容",
           **{status: as_code(text) for status, text in BY_STATUS.items()}}


def describe(document: dict) -> dict:
    """The OpenAPI document with every description in Chinese (in place; returned for chaining)."""
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        _describe_schema(name, schema)
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            _describe_operation(operation)
    return document


def field_description(schema_name: str, field: str) -> str | None:
    return IN_SCHEMA.get(f"{schema_name}.{field}") or FIELDS.get(field)


def _describe_schema(name: str, schema: dict) -> None:
    if name in SCHEMAS:
        schema["description"] = SCHEMAS[name]
    else:
        schema.pop("description", None)  # a docstring is for programmers: leave it missing, the test names it
    for field, spec in schema.get("properties", {}).items():
        text = field_description(schema.get("title", name), field)
        if text:
            spec["description"] = text


def _describe_operation(operation: dict) -> None:
    for parameter in operation.get("parameters", []):
        text = PARAMETERS.get(parameter["name"]) if parameter["in"] == "path" else None
        text = text or PARAMETERS.get(parameter["name"]) or FIELDS.get(parameter["name"])
        if text:
            parameter["description"] = text
    for content in operation.get("requestBody", {}).get("content", {}).values():
        _describe_schema(content["schema"].get("title", ""), content["schema"])
    for status, answer in operation.get("responses", {}).items():
        code = int(status) if str(status).isdigit() else None  # ints here; strings once written as JSON
        if code in ANSWERS and (answer.get("description") or "").isascii():
            answer["description"] = ANSWERS[code]
