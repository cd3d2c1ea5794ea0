#!/usr/bin/env bash
# `make run`: set up the database, load the demo (idempotent), start the background worker and the
# web server on 127.0.0.1:8000, print the demo logins. Ctrl-C stops both.
set -uo pipefail
bin=.venv/bin
export JIXIAO_VAR="${JIXIAO_VAR:-$PWD/var}"
host="${JIXIAO_HOST:-127.0.0.1}"
port="${JIXIAO_PORT:-8000}"

$bin/jixiao demo || exit $?
mkdir -p "$JIXIAO_VAR"
$bin/jixiao worker > "$JIXIAO_VAR/worker.log" 2>&1 &
worker=$!
$bin/jixiao serve --host "$host" --port "$port" --no-migrate &
server=$!
stop() {
  trap - EXIT INT TERM
  kill "$server" "$worker" 2>/dev/null
  wait "$server" "$worker" 2>/dev/null
  echo
  echo "已停止 Web 服务和后台任务。"
}
trap stop EXIT
trap 'exit 130' INT TERM
echo
echo "后台任务已启动（日志：$JIXIAO_VAR/worker.log）。"
echo "打开 http://$host:$port/ ，用上面的演示账号登录（填报人 tianbao，单位负责人 fuzeren）；Ctrl-C 停止。"
wait "$server"
