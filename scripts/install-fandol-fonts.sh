#!/usr/bin/env bash
# The Fandol faces stand in for the 公文 fonts in the PDF: FandolFang (仿宋, the only free Simplified
# Chinese FangSong Debian ships), FandolKai (楷体), FandolHei (黑体), FandolSong Bold (小标宋) and
# FandolSong (宋体, page numbers). They are single-language OpenType files, so the PDF embeds a
# Simplified Chinese face by name — Noto CJK's collections embed as "NotoSerifCJKjp" whichever face is
# asked for. They ship only inside texlive-lang-chinese (98 MB installed, with a TeX system behind
# it); the PDF needs just these five files (31 MB), so the package is downloaded, the files are
# extracted to /usr/local/share/fonts/fandol and the rest is thrown away. Installed only where missing.
set -euo pipefail
DEST=/usr/local/share/fonts/fandol
FACES=(FandolFang-Regular.otf FandolKai-Regular.otf FandolHei-Regular.otf FandolSong-Bold.otf FandolSong-Regular.otf)
CONF=/etc/fonts/conf.d/60-jixiao-fandol.conf
if command -v fc-list >/dev/null && [ -f "$CONF" ] && [ "$(fc-list : file | grep -c '/fandol/Fandol\(Fang-R\|Kai-R\|Hei-R\|Song-B\|Song-R\)')" -ge 5 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "提示：缺少公文替代字体 Fandol（PDF 输出需要），请用 root 运行 scripts/install-fandol-fonts.sh" >&2
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"  # apt's sandbox user writes the download here
echo "正在安装公文替代字体（Fandol 仿宋、楷体、黑体、宋体，取自 texlive-lang-chinese）"
(cd "$tmp" && apt-get download -qq texlive-lang-chinese 2>/dev/null || { apt-get update -qq && apt-get download -qq texlive-lang-chinese; })
src=./usr/share/texlive/texmf-dist/fonts/opentype/public/fandol
dpkg-deb --fsys-tarfile "$tmp"/texlive-lang-chinese_*.deb | tar -x -C "$tmp" "${FACES[@]/#/$src/}"
mkdir -p "$DEST"
for f in "${FACES[@]}"; do install -m 644 "$tmp/$src/$f" "$DEST/$f"; done
# FandolSong-Bold.otf declares weight 400 like the regular face, so fontconfig (and LibreOffice) would
# embolden the regular face instead of using it: tell fontconfig it is the bold one.
cat > "$CONF" <<CONF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <match target="scan">
    <test name="file"><string>$DEST/FandolSong-Bold.otf</string></test>
    <edit name="weight" mode="assign"><const>bold</const></edit>
  </match>
</fontconfig>
CONF
fc-cache -f >/dev/null 2>&1 || true
