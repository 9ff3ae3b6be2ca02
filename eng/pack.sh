#!/usr/bin/env bash
# Packs the six libraries and the messaging CLI tool (Release) into artifacts/packages/: for each a .nupkg (dll, XML docs, README.md,
# LICENSE) and a .snupkg (PDB with the sources embedded), all at one version; the tool as a pointer package
# Messaging.Cli plus one Messaging.Cli.<rid> package (and .snupkg) per platform it supports (src/Cli/Messaging.Cli.csproj).
# Starts from an empty folder, so running it again gives the same set of files.
# Usage: eng/pack.sh [--version X] [--repository-url URL]
#   --version X           package version (default: VersionPrefix in Directory.Build.props)
#   --repository-url URL  the public repository, written into the packages as repository and project URL
#                         (default: none; set it when publishing)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/artifacts/packages"
props=()
while [ $# -gt 0 ]; do
  case "$1" in
    --version) props+=("-p:Version=${2:?--version needs a value}"); shift 2 ;;
    --repository-url) props+=("-p:MessagingRepositoryUrl=${2:?--repository-url needs a value}"); shift 2 ;;
    *) echo "usage: $0 [--version X] [--repository-url URL]" >&2; exit 2 ;;
  esac
done
log() { echo "[pack] $*" >&2; }

# The Kafka package depends on Confluent.Kafka, which needs librdkafka.redist restorable.
bash "$repo/eng/librdkafka.sh"
rm -rf "$out"
mkdir -p "$out"
build_log=$(mktemp)
# eng/packages.slnf: the seven src/ projects of Messaging.sln (six libraries, the CLI tool), packed in one build.
log "packing the libraries (Release)"
dotnet pack "$repo/eng/packages.slnf" -c Release -p:PackageOutputPath="$out" -nologo -v q ${props[@]+"${props[@]}"} >"$build_log" 2>&1 \
  || { cat "$build_log" >&2; rm -f "$build_log"; exit 1; }
rm -f "$build_log"
# The tool's per-runtime publish folders (about 400 MB for its six runtimes) are in its packages now: removed, so a CI
# machine's disk keeps room for what runs after the pack.
for dir in "$repo"/src/Cli/bin/*/net*/*/; do [ -d "$dir/publish" ] && rm -rf "$dir"; done
log "wrote to ${out#"$repo"/}:"
(cd "$out" && ls -1 -- *.nupkg *.snupkg | sed 's/^/  /' >&2)
