#!/bin/sh
# Rebuilds DroidSansFallback-subset.ttf.gz, the font certificates are drawn
# with: Droid Sans Fallback (Apache-2.0, Debian package fonts-droid-fallback)
# cut down to CJK Unified Ideographs U+4E00–U+9FA5 (all GBK hanzi, so rare
# name characters render), CJK punctuation and full-width forms. Latin text
# is drawn with the PDF core font Helvetica, which needs no embedding.
#
#   apt-get install fonts-droid-fallback fonttools && sh subset.sh
set -eu
cd "$(dirname "$0")"
src=/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf
chars=$(mktemp)
python3 -c '
import sys
cs = [chr(c) for c in range(0x4E00, 0x9FA6)]
cs += [chr(c) for c in range(0x3000, 0x3040)] + [chr(c) for c in range(0xFF00, 0xFF60)]
cs += list("·—…“”‘’×○□")
sys.stdout.write("".join(cs))' >"$chars"
pyftsubset "$src" --text-file="$chars" --output-file=subset.ttf \
	--no-hinting --desubroutinize --layout-features='' --notdef-outline
gzip -9 -n -f subset.ttf
mv subset.ttf.gz DroidSansFallback-subset.ttf.gz
rm -f "$chars"
