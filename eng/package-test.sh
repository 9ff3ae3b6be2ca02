#!/usr/bin/env bash
# The packages as a new user meets them: packs them (eng/pack.sh), checks what each .nupkg and .snupkg holds,
# then restores, builds and runs tests/PackageSmoke (an application outside Messaging.sln that references the
# packages by version, never the projects) and the README's quick-start service with its tests (samples/QuickStart)
# from artifacts/packages into a packages folder of its own, so neither the global NuGet cache nor the repository's
# build settings can stand in for the packages.
# Any arguments go to eng/pack.sh (e.g. --version 1.0.0-rc.1). Exit code 0 only when everything held.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
artifacts="$repo/artifacts/packages"
smoke="$repo/tests/PackageSmoke"
state="${MESSAGING_STATE_DIR:-$repo/.state}/package-smoke"
packages="$state/packages"
log() { echo "[package-test] $*" >&2; }
fail() { echo "[package-test] FAILED: $*" >&2; echo "RESULT: package test FAILED" >&2; exit 1; }

bash eng/pack.sh "$@"
core=$(cd "$artifacts" && ls Messaging.Core.*.nupkg)
version=${core#Messaging.Core.}; version=${version%.nupkg}
log "version $version"

# What each package holds.
for id in Messaging.Core Messaging.Transports.RabbitMq Messaging.Transports.Kafka Messaging.Outbox.EfCore Messaging.Testing Messaging.Dashboard; do
  nupkg="$artifacts/$id.$version.nupkg"; snupkg="$artifacts/$id.$version.snupkg"
  [ -f "$nupkg" ] || fail "$id.$version.nupkg was not written"
  [ -f "$snupkg" ] || fail "$id.$version.snupkg (symbols) was not written"
  files=$(unzip -Z1 "$nupkg")
  for f in "lib/net10.0/$id.dll" "lib/net10.0/$id.xml" README.md LICENSE; do
    grep -qxF "$f" <<<"$files" || fail "$id: $f is not in the package"
  done
  symbols=$(unzip -Z1 "$snupkg")
  grep -qxF "lib/net10.0/$id.pdb" <<<"$symbols" || fail "$id: the .snupkg has no PDB"
  nuspec=$(unzip -p "$nupkg" "$id.nuspec")
  grep -qF '<license type="expression">MIT</license>' <<<"$nuspec" || fail "$id: no MIT licence expression"
  grep -qF '<readme>README.md</readme>' <<<"$nuspec" || fail "$id: no readme in the nuspec"
  if [ "$id" != Messaging.Core ]; then
    # From this version up to the next that may break Core's public API (Directory.Build.targets).
    IFS=. read -r major minor _ <<<"${version%%-*}"
    if [ "$major" = 0 ]; then next="0.$((minor + 1)).0"; else next="$((major + 1)).0.0"; fi
    grep -qF "<dependency id=\"Messaging.Core\" version=\"[$version, $next)\"" <<<"$nuspec" \
      || fail "$id: does not depend on Messaging.Core [$version, $next)"
  fi
done
# SQLite users carry no Npgsql: the outbox compiles against it for LISTEN/NOTIFY but does not depend on it.
unzip -p "$artifacts/Messaging.Outbox.EfCore.$version.nupkg" Messaging.Outbox.EfCore.nuspec | grep -q '<dependency id="Npgsql"' \
  && fail "Messaging.Outbox.EfCore depends on Npgsql: a SQLite application would carry it"
log "each package holds its dll, XML docs, README.md and LICENSE; symbols beside it; the outbox does not depend on Npgsql"

# Restore into a packages folder of our own. Third-party packages stay between runs (speed); ours are
# removed first, so they always come from artifacts/packages.
mkdir -p "$packages"
rm -rf "$packages"/messaging.* "$smoke/bin" "$smoke/obj"
build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
log "restoring tests/PackageSmoke from artifacts/packages into ${packages#"$repo"/}"
dotnet restore "$smoke" --packages "$packages" --force -p:MessagingVersion="$version" -v q >"$build_log" 2>&1 \
  || { cat "$build_log" >&2; fail "restore of tests/PackageSmoke"; }
for id in messaging.core messaging.transports.rabbitmq messaging.transports.kafka messaging.outbox.efcore; do
  restored="$packages/$id/$version/$id.$version.nupkg"
  [ -f "$restored" ] || fail "$id $version was not restored"
  cmp -s "$restored" "$(ls "$artifacts"/*.nupkg | grep -i "/$id\.$version\.nupkg$")" \
    || fail "$id $version was restored from another source than artifacts/packages"
done
log "building and running tests/PackageSmoke"
dotnet build "$smoke" -c Release --no-restore -p:MessagingVersion="$version" -nologo -v q >"$build_log" 2>&1 \
  || { cat "$build_log" >&2; fail "build of tests/PackageSmoke"; }
dotnet run --project "$smoke" -c Release --no-build -p:MessagingVersion="$version" || fail "tests/PackageSmoke exited with $?"
# The smoke application is on SQLite: it ran its outbox and inbox without Npgsql beside it.
ls "$smoke"/bin/Release/net10.0/Npgsql.dll >/dev/null 2>&1 && fail "tests/PackageSmoke (SQLite) has Npgsql.dll in its output"
log "tests/PackageSmoke ran on SQLite with no Npgsql.dll beside it"
# The README's "Using it" service (samples/QuickStart) as a new user builds it: from the packages only, with the
# project-local NuGet.Config of the Install step; its tests run the real Program on the in-memory transport and on
# RabbitMQ with PostgreSQL (both started by eng/test.sh). The README shows its files verbatim: checked first.
python3 "$repo/eng/readme-snippets.py" "$repo/README.md" || fail "README.md does not show samples/QuickStart as it is"
quick="$repo/samples/QuickStart"
rm -rf "$quick"/Orders/bin "$quick"/Orders/obj "$quick"/Orders.Tests/bin "$quick"/Orders.Tests/obj
log "restoring, building and testing samples/QuickStart from artifacts/packages"
dotnet restore "$quick/Orders.Tests" --packages "$packages" --force -p:MessagingVersion="$version" -v q >"$build_log" 2>&1 \
  || { cat "$build_log" >&2; fail "restore of samples/QuickStart"; }
dotnet build "$quick/Orders.Tests" -c Release --no-restore -p:MessagingVersion="$version" -nologo -v q >"$build_log" 2>&1 \
  || { cat "$build_log" >&2; fail "build of samples/QuickStart"; }
dotnet test "$quick/Orders.Tests" -c Release --no-build -p:MessagingVersion="$version" -nologo >"$build_log" 2>&1 \
  || { cat "$build_log" >&2; fail "the tests of samples/QuickStart"; }
grep -E "^(Passed|Failed)!" "$build_log" | sed 's/^/[package-test] QuickStart: /' >&2
# A transport written outside this repository (docs/writing-a-transport.md): samples/SpoolTransport builds on the packed
# Messaging.Core only and runs the compliance suite from the packed Messaging.Testing.
spool="$repo/samples/SpoolTransport"
rm -rf "$spool"/Spool/bin "$spool"/Spool/obj "$spool"/Spool.Tests/bin "$spool"/Spool.Tests/obj
log "restoring, building and testing samples/SpoolTransport (the compliance suite from Messaging.Testing)"
dotnet restore "$spool/Spool.Tests" --packages "$packages" --force -p:MessagingVersion="$version" -v q >"$build_log" 2>&1 \
  || { cat "$build_log" >&2; fail "restore of samples/SpoolTransport"; }
cmp -s "$packages/messaging.testing/$version/messaging.testing.$version.nupkg" "$artifacts/Messaging.Testing.$version.nupkg" \
  || fail "Messaging.Testing $version was restored from another source than artifacts/packages"
dotnet build "$spool/Spool.Tests" -c Release --no-restore -p:MessagingVersion="$version" -nologo -v q >"$build_log" 2>&1 \
  || { cat "$build_log" >&2; fail "build of samples/SpoolTransport"; }
dotnet test "$spool/Spool.Tests" -c Release --no-build -p:MessagingVersion="$version" -nologo >"$build_log" 2>&1 \
  || { cat "$build_log" >&2; fail "the compliance suite on samples/SpoolTransport"; }
grep -E "^(Passed|Failed)!" "$build_log" | sed 's/^/[package-test] SpoolTransport: /' >&2
# The CLI as an operator installs it: a .NET tool from the same folder, run by its command name.
tool="$state/tool"
rm -rf "$tool"
log "installing the messaging tool (Messaging.Cli $version) into ${tool#"$repo"/}"
dotnet tool install Messaging.Cli --version "$version" --tool-path "$tool" --add-source "$artifacts" >"$build_log" 2>&1 \
  || { cat "$build_log" >&2; fail "dotnet tool install Messaging.Cli"; }
"$tool/messaging" --help | grep -q "^  messaging \[command\]" || fail "messaging --help does not show the command 'messaging'"
[ "$("$tool/messaging" --version)" = "$version" ] || [[ "$("$tool/messaging" --version)" == "$version+"* ]] || fail "messaging --version is not $version"
set +e; "$tool/messaging" outbox stats --connection "Data Source=$state/absent.db" 2>"$build_log"; code=$?; set -e
[ "$code" -eq 1 ] && grep -q "^messaging: SQLite database" "$build_log" || fail "messaging on a missing database: exit $code, not one clear line"
log "the messaging tool installs, runs by its name and fails with one line on a missing database"
# One package per runtime identifier (ToolPackageRuntimeIdentifiers): this machine got its own, with librdkafka for it
# only, and the kafka commands load it (a KafkaException can only come from the native library).
rid=$(dotnet --info | sed -n 's/^ *RID: *//p' | head -1)
[ -d "$tool/.store/messaging.cli/$version/messaging.cli.$rid" ] || fail "the tool did not install the package for $rid (Messaging.Cli.$rid)"
size=$(stat -c %s "$artifacts/Messaging.Cli.$rid.$version.nupkg")
[ "$size" -lt 25000000 ] || fail "Messaging.Cli.$rid.$version.nupkg is $size bytes; one platform's share is under 25 MB"
set +e; timeout 60 "$tool/messaging" kafka lag --kafka-bootstrap 127.0.0.1:1 --endpoint package-test 2>"$build_log"; code=$?; set -e
[ "$code" -eq 1 ] && grep -q "KafkaException" "$build_log" || { cat "$build_log" >&2; fail "messaging kafka lag did not reach librdkafka (exit $code)"; }
log "the tool package for $rid is $((size / 1000000)) MB and its kafka commands load librdkafka"
# What the package test restored and installed (about 500 MB) is only its own: removed once it passed, so a CI machine's
# disk keeps room for the fault harness and the benchmark smoke that follow.
rm -rf "$state"
echo "RESULT: package test passed ($version)"
