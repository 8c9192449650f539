#!/usr/bin/env bash
# Installs the Debian packages that the tests use as independent references:
# PyTorch + torchvision (model and Grad-CAM parity), scikit-learn (metrics),
# OpenCV and PIL (resize, blur, rotate, CLAHE fixtures), fonts for plot text,
# and Chromium for the web page test. Safe to run repeatedly; skips what is present.
set -euo pipefail
packages=(python3-torch python3-torchvision python3-sklearn python3-opencv python3-pil python3-numpy fonts-dejavu-core chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "reference tools: all present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "reference tools: cannot install ${missing[*]} (need root and apt-get); tests that need them will skip and say so" >&2
  exit 0
fi
echo "reference tools: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
