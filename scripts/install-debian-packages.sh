#!/usr/bin/env bash
# Install the Debian packages given as arguments, only those not installed yet.
# Without root or apt (a developer laptop), say what is missing and carry on: the
# features that need them (PDF output) report their absence clearly at run time.
set -euo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "提示：缺少系统软件包 ${missing[*]}（PDF 输出需要），请用 root 安装：apt-get install ${missing[*]}" >&2
  exit 0
fi
echo "正在安装系统软件包：${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
