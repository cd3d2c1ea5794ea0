#!/usr/bin/env bash
# `make run-cli`: score, audit and render the demo package from the command line (and audit the
# original seed document where it is present), write everything to the output folder, say where to look.
set -uo pipefail
example="$1"; out="$2"
bin=.venv/bin
seed=../shared/seeds/000_ccaee7afe12d8f19.txt
mkdir -p "$out"

echo "== 评分：$example"
$bin/jixiao score "$example" > "$out/score.txt"
$bin/jixiao score "$example" --format json > "$out/score.json"
sed -n '3,/^$/p' "$out/score.txt"
tail -n 1 "$out/score.txt"

echo
echo "== 审核"
$bin/jixiao audit "$example" --format text > "$out/audit.txt"
echo "示例数据包：$(grep -m1 '审核结果' "$out/audit.txt" | sed 's/^ *//')"
$bin/jixiao audit "$example" --format json > "$out/audit.json"
$bin/jixiao audit "$example" --format html -o "$out/audit.html" > /dev/null 2>&1 || [ $? -eq 1 ] || echo "（生成 HTML 审核意见失败）"
if [ -f "$seed" ]; then
  $bin/jixiao audit "$seed" --format text > "$out/audit-seed.txt"
  $bin/jixiao audit "$seed" --format html -o "$out/audit-seed.html" > /dev/null 2>&1 || [ $? -eq 1 ] || echo "（生成 HTML 审核意见失败）"
  echo "原始材料（文本）：$(grep -m1 '审核结果' "$out/audit-seed.txt" | sed 's/^ *//')"
fi

echo
echo "== 生成文档"
$bin/jixiao render "$example" -o "$out/package" --pdf || $bin/jixiao render "$example" -o "$out/package"

echo
echo "结果在 $out/："
echo "  score.txt / score.json      每个合计、比率、得分、总分的计算值、公式、依据，与填报值并列"
echo "  audit.txt / audit.html      示例数据包的审核意见（audit.json 为机器可读格式）"
[ -f "$out/audit-seed.html" ] && echo "  audit-seed.txt / .html      原始材料（../shared/seeds/）的审核意见"
echo "  package/                    生成的自评报告 .docx、自评表 .xlsx 和 PDF"
echo "（Web 界面：make run，浏览器打开 http://127.0.0.1:8000/ ；命令行用法见 README.md。）"
