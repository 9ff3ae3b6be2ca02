#!/usr/bin/env bash
# Makes Confluent.Kafka restorable and loadable. Confluent.Kafka depends on the librdkafka.redist
# package; where the NuGet source lacks it, build librdkafka from Debian 13's source package (Debian
# 12's librdkafka 2.0.2 is too old for Confluent.Kafka 2.16.0) and put a librdkafka.redist package
# into eng/nuget-feed. Where NuGet has the real package, the feed stays empty. Idempotent: a second
# run only copies the cached package.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
feed="$repo/eng/nuget-feed"
cache="${MESSAGING_CACHE:-$HOME/.cache/messaging}/librdkafka"
version=2.16.0   # the librdkafka.redist version Confluent.Kafka 2.16.0 asks for
pkg="librdkafka.redist.$version.nupkg"
mkdir -p "$cache" "$feed"

log() { echo "[librdkafka] $*" >&2; }

if [ -f "$cache/nuget-has-$version" ]; then exit 0; fi
if [ -f "$cache/$pkg" ]; then cp -u "$cache/$pkg" "$feed/"; exit 0; fi

probe_nuget() {
  local dir; dir=$(mktemp -d)
  cat > "$dir/probe.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageReference Include="librdkafka.redist" Version="[$version]" /></ItemGroup>
</Project>
XML
  # An empty packages folder, so a copy cached by an earlier restore cannot answer for the source.
  (cd "$dir" && dotnet restore --packages "$dir/packages" >/dev/null 2>&1)
  local rc=$?; rm -rf "$dir"; return $rc
}

log "checking whether NuGet has librdkafka.redist $version"
if probe_nuget; then
  log "NuGet has it; nothing to build"
  touch "$cache/nuget-has-$version"; exit 0
fi

so="$cache/librdkafka.so"
if [ ! -f "$so" ]; then
  log "NuGet lacks it: building librdkafka from Debian 13 source (about 2 minutes, once per machine)"
  src_list=/etc/apt/sources.list.d/messaging-trixie-src.sources
  if [ ! -f "$src_list" ]; then
    # Same URI and keyring as the machine's own Debian source; only a deb-src entry, so no
    # Debian 13 binary (and no newer libc) can be installed from it.
    uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    key=$(awk '/^Signed-By:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: %s\n' "$uri" "$key" > "$src_list"
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq build-essential dpkg-dev libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev >/dev/null
  work=$(mktemp -d)
  (cd "$work" && apt-get source -qq librdkafka/trixie >/dev/null 2>&1)
  dir=$(find "$work" -maxdepth 1 -type d -name 'librdkafka-*' | head -n 1)
  (cd "$dir" && ./configure --disable-curl >/dev/null && make -j"$(nproc)" -C src >/dev/null 2>&1)
  strip -o "$so" "$dir/src/librdkafka.so.1"
  rm -rf "$work"
fi

log "packing $pkg"
stage=$(mktemp -d)
cat > "$stage/redist.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>netstandard2.0</TargetFramework>
    <PackageId>librdkafka.redist</PackageId>
    <Version>$version</Version>
    <Authors>local build</Authors>
    <Description>librdkafka built from Debian source for this machine (linux-x64).</Description>
    <IncludeBuildOutput>false</IncludeBuildOutput>
    <NoWarn>NU5128;NU5100</NoWarn>
    <SuppressDependenciesWhenPacking>true</SuppressDependenciesWhenPacking>
  </PropertyGroup>
  <ItemGroup><None Include="$so" Pack="true" PackagePath="runtimes/linux-x64/native/librdkafka.so" /></ItemGroup>
</Project>
XML
(cd "$stage" && dotnet pack -c Release -o "$cache" >/dev/null)
rm -rf "$stage"
cp "$cache/$pkg" "$feed/"
log "done: $feed/$pkg"
