#!/usr/bin/env bash
# The Word copy looks like the mailing PDF on a machine without its fonts: LibreOffice renders
# out/letter.docx with a font configuration that lists no Noto font at all, and pdffonts must
# show the text set in the fonts embedded in the DOCX (Noto Serif SC regular and bold; for a
# letter with Hangul and Polish names, Noto Serif KR and Source Serif 4 as well). For
# contrast, the same letter built with `docx.embedFonts: none` must fall back to other fonts.
#
# LibreOffice and poppler are not project dependencies (Debian: libreoffice-writer-nogui,
# poppler-utils). Without soffice this script says SKIPPED and exits 0.
#
#   bash test/libreoffice-embedded-fonts.sh [WORKDIR]
#
# It leaves the PDFs and PNG pages in WORKDIR (default: a new temporary folder) to look at.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v soffice >/dev/null 2>&1; then
  echo "SKIPPED: soffice (LibreOffice) is not installed; nothing was checked. Install libreoffice-writer-nogui and poppler-utils to run this check."
  exit 0
fi
for tool in pdffonts pdftotext pdftoppm fc-list; do
  command -v "$tool" >/dev/null 2>&1 || { echo "FAILED: $tool is missing (install poppler-utils and fontconfig)"; exit 1; }
done

work="${1:-$(mktemp -d -t letterpress-lo-XXXXXX)}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
fail() { echo "FAILED: $*"; exit 1; }

# A font configuration without any Noto font: the system's DejaVu and Liberation fonts only.
dirs=""
for dir in /usr/share/fonts/truetype/dejavu /usr/share/fonts/truetype/liberation2 /usr/share/fonts/truetype/liberation; do
  [ -d "$dir" ] && dirs="$dirs  <dir>$dir</dir>"$'\n'
done
cat > "$work/fonts.conf" <<EOF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
$dirs  <cachedir>$work/fontconfig-cache</cachedir>
</fontconfig>
EOF
export FONTCONFIG_FILE="$work/fonts.conf"
if fc-list | grep -qi noto; then fail "the font configuration $FONTCONFIG_FILE still lists a Noto font"; fi
echo "Fonts LibreOffice can see: $(fc-list : family | sort -u | tr '\n' ';')"

# The seed letter, once as the templates say (subset) and once with embedFonts: none.
npm run --silent compile
node dist/cli/main.js build letter.md --format docx --out "$work/subset" >/dev/null
mkdir -p "$work/none-src/templates"
cp letter.md signatories.yaml "$work/none-src/"
sed 's/^  embedFonts: .*/  embedFonts: none/' templates/zh-CN.yaml > "$work/none-src/templates/zh-CN.yaml"
grep -q '^  embedFonts: none' "$work/none-src/templates/zh-CN.yaml" || fail "could not set embedFonts: none"
node dist/cli/main.js build "$work/none-src/letter.md" --format docx --out "$work/none" >/dev/null
echo "DOCX sizes: subset $(stat -c %s "$work/subset/letter.docx") bytes, none $(stat -c %s "$work/none/letter.docx") bytes"

for variant in subset none; do
  soffice "-env:UserInstallation=file://$work/profile" --headless --convert-to pdf --outdir "$work/$variant" "$work/$variant/letter.docx" >/dev/null 2>&1 \
    || fail "soffice could not convert the $variant DOCX"
  [ -s "$work/$variant/letter.pdf" ] || fail "soffice wrote no PDF for the $variant DOCX"
done

echo
echo "== pdffonts of the LibreOffice PDF (embedFonts: subset) =="
pdffonts "$work/subset/letter.pdf" | tee "$work/subset/pdffonts.txt"
fonts=$(tail -n +3 "$work/subset/pdffonts.txt" | awk '{print $1}' | sed 's/^[A-Z]\{6\}+//' | sort -u)
grep -qx 'NotoSerifSC-Regular' <<<"$fonts" || fail "the text is not set in the embedded NotoSerifSC-Regular"
grep -qx 'NotoSerifSC-Bold' <<<"$fonts" || fail "the bold lines are not set in the embedded NotoSerifSC-Bold"
# Latin text (URLs, names, digits of the notes) is in the template's Latin face, embedded too.
others=$(grep -vx 'NotoSerifSC-Regular\|NotoSerifSC-Bold\|SourceSerif4-Regular\|SourceSerif4-Bold' <<<"$fonts" || true)
[ -z "$others" ] || fail "some text fell back to other fonts: $others"
pdftotext "$work/subset/letter.pdf" - | tr -d ' \n' | grep -q '主旨：中国政府强迫遣返朝鲜难民' || fail "the subject line is not in the PDF text"

echo
echo "== pdffonts of the LibreOffice PDF (embedFonts: none) =="
pdffonts "$work/none/letter.pdf" | tee "$work/none/pdffonts.txt"
if tail -n +3 "$work/none/pdffonts.txt" | grep -q 'NotoSerifSC'; then
  fail "without embedded fonts LibreOffice still found Noto Serif SC: the font configuration does not hide it, so the check above proves nothing"
fi

# Names in other scripts in a Chinese letter: a Hangul name is set in the fallback face Noto Serif
# KR, a Polish name and a Latin word with a curly apostrophe in Source Serif 4; the Word copy must
# name and embed both, so LibreOffice draws them from the embedded subsets, never from DejaVu.
mkdir -p "$work/names-src"
cat > "$work/names-src/letter.md" <<'LETTER'
---
lang: zh-CN
date: 2024-05-02
to:
  - name: 收件人
subject: 联署名单测试
salutation: 您好：
closing: 谢谢！
signatories: signatories.yaml
---

我们联名致信，“中国”与 Citizens’ Alliance 的文字。
LETTER
cat > "$work/names-src/signatories.yaml" <<'DATA'
organizations:
  - { name: 북한인권시민연합, country: South Korea }
  - { name: Citizens’ Alliance for North Korean Human Rights, country: Belgium }
  - { name: Łódzka Fundacja Praw Człowieka, country: Poland }
individuals:
  - { name: 김영희, title: 교수 }
DATA
node dist/cli/main.js build "$work/names-src/letter.md" --format docx --out "$work/names" >/dev/null
soffice "-env:UserInstallation=file://$work/profile" --headless --convert-to pdf --outdir "$work/names" "$work/names/letter.docx" >/dev/null 2>&1 \
  || fail "soffice could not convert the names DOCX"
echo
echo "== pdffonts of the LibreOffice PDF (Hangul and Polish names in a zh-CN letter) =="
pdffonts "$work/names/letter.pdf" | tee "$work/names/pdffonts.txt"
names_fonts=$(tail -n +3 "$work/names/pdffonts.txt" | awk '{print $1}' | sed 's/^[A-Z]\{6\}+//' | sort -u)
for face in NotoSerifKR-Regular SourceSerif4-Regular NotoSerifSC-Regular; do
  grep -qx "$face" <<<"$names_fonts" || fail "no text is set in the embedded $face"
done
names_others=$(grep -vx 'NotoSerifSC-Regular\|NotoSerifSC-Bold\|NotoSerifKR-Regular\|SourceSerif4-Regular\|SourceSerif4-Bold' <<<"$names_fonts" || true)
[ -z "$names_others" ] || fail "some names fell back to other fonts: $names_others"
pdftotext "$work/names/letter.pdf" - | grep -q '북한인권시민연합' || fail "the Hangul name is not in the PDF text"
pdftotext "$work/names/letter.pdf" - | grep -q 'Łódzka' || fail "the Polish name is not in the PDF text"
pdftoppm -r 70 -png "$work/names/letter.pdf" "$work/names/page"

pdftoppm -r 70 -png "$work/subset/letter.pdf" "$work/subset/page"
pdftoppm -r 70 -png "$work/none/letter.pdf" "$work/none/page"
echo
echo "OK: LibreOffice set the letter in the embedded Noto Serif SC (regular and bold) on a machine without Noto fonts;"
echo "    without embedding it fell back to $(tail -n +3 "$work/none/pdffonts.txt" | awk '{print $1}' | sed 's/^[A-Z]\{6\}+//' | sort -u | tr '\n' ' ')"
echo "OK: Hangul and Polish names in a zh-CN letter set in the embedded Noto Serif KR and Source Serif 4."
echo "Pages to look at: $work/subset/page-*.png (embedded), $work/none/page-*.png (not embedded), $work/names/page-*.png (names)"
