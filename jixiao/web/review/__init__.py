"""The review side's domain, shared by the bureau's pages and the API: evaluation tasks and their
units, the dashboard rows, review decisions, 抽评, 部门汇总, 结果应用 and 整改, the 归口 departments,
the outside-package and 一体化 imports, and the .xlsx exports. Views live in the audience packages
(web/bureau/, web/api/); both call these selectors and services, so there is one implementation."""
