#!/usr/bin/env bash
# System packages the tests need beyond Python, installed only when missing (repeated `make test`
# runs cost nothing):
# - Debian's chromium: the end-to-end app test, and printing test PDFs from HTML;
# - fonts-wqy-zenhei: a Chinese font for those PDFs and for the scanned pages the OCR tests render;
# - libreoffice-writer-nogui: LibreOffice without its desktop, which reads old Word .doc and WPS .wps
#   files for the app (headless `soffice --convert-to`), and makes the .doc the format tests upload;
# - the system libraries OpenCV links against (the OCR package rapidocr-onnxruntime needs the
#   opencv-python build, which wants libGL, X11 and GLib).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || missing+=(fonts-wqy-zenhei)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
for pair in libGL.so.1:libgl1 libgthread-2.0.so.0:libglib2.0-0 libSM.so.6:libsm6 libICE.so.6:libice6 \
            libX11.so.6:libx11-6 libXext.so.6:libxext6 libxcb.so.1:libxcb1; do
  ldconfig -p 2>/dev/null | grep -qF "${pair%%:*} " || missing+=("${pair##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages for the tests: ${missing[*]} ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing Debian packages: ${missing[*]}: install them (apt-get install ${missing[*]}) or the browser and format tests will skip" >&2
  fi
fi
