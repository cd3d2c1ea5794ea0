#!/usr/bin/env bash
# `make run` until the web app exists: score the demo package (and audit and render it
# where those commands exist), write everything to the output folder, say where to look.
set -uo pipefail
example="$1"; out="$2"
bin=.venv/bin
mkdir -p "$out"
echo "== 评分：$example"
$bin/jixiao score "$example" | tee "$out/score.txt" | tail -n 25
$bin/jixiao score "$example" --format json > "$out/score.json"
if $bin/jixiao audit --help >/dev/null 2>&1; then
  echo "== 审核"
  $bin/jixiao audit "$example" --format text > "$out/audit.txt"; echo "（退出码 $?：0 无错误，1 有错误级问题）"
  $bin/jixiao audit "$example" --format json > "$out/audit.json"
  seed=../shared/seeds/000_ccaee7afe12d8f19.txt
  if [ -f "$seed" ]; then
    $bin/jixiao audit "$seed" --format text > "$out/audit-seed.txt"
    $bin/jixiao audit "$seed" --format html -o "$out/audit-seed.html" >/dev/null 2>&1 || true
  fi
fi
if $bin/jixiao render --help >/dev/null 2>&1; then
  echo "== 生成文档"
  $bin/jixiao render "$example" -o "$out/package" --pdf || $bin/jixiao render "$example" -o "$out/package"
fi
echo
echo "结果在 $out/ ："
ls -1 "$out"
echo "评分明细：$out/score.txt（JSON：$out/score.json）"
