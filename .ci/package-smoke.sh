#!/usr/bin/env bash
# Package smoke test: packs LlmAdapters and the llm-adapters tool into a local folder, then, in a fresh console project
# OUTSIDE the repository (so the repo's Directory.Build.props and Directory.Packages.props do not apply):
#   - dotnet add package LlmAdapters from that folder (dependencies from nuget.org),
#   - services.AddLlmAdapters() with a profile pointing at a loopback server the program starts itself,
#   - one call through the shipped "openai" adapter with no adapters folder on disk, and the answer checked;
# then installs the tool from the same folder and runs "llm-adapters list".
# Then it follows README.md as a newcomer does: the Install section's local-feed lines word for word (in an empty home
# folder, so that nothing cached from earlier runs is used), and the dependency-injection example in a new project.
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
started=$(date +%s)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work=$(mktemp -d "${TMPDIR:-/tmp}/llm-adapters-smoke.XXXXXX")
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
version=""
cleanup() {
  rm -rf "$work"
  # This run's packages in the global packages folder: one throwaway version per run, of no use afterwards.
  if [ -n "$version" ]; then rm -rf "$packages/llmadapters/$version" "$packages/llmadapters.cli/$version"; fi
}
trap cleanup EXIT
feed="$work/feed"
app="$work/app"
mkdir -p "$feed" "$app"

# A version of its own for every run: the global packages folder never serves a stale package of an earlier run.
base_version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)
version="${base_version}-smoke.$(date +%Y%m%d%H%M%S)"
echo "== pack $version into $feed"
dotnet pack src/LlmAdapters -c Release -o "$feed" -p:PackageVersion="$version" --nologo -v quiet
dotnet pack src/LlmAdapters.Cli -c Release -o "$feed" -p:PackageVersion="$version" --nologo -v quiet
test -f "$feed/LlmAdapters.$version.nupkg"
test -f "$feed/LlmAdapters.$version.snupkg"
test -f "$feed/LlmAdapters.Cli.$version.nupkg"
contents=$(unzip -l "$feed/LlmAdapters.$version.nupkg")
expected_entries="README.md schema/llm-adapter.schema.json lib/net8.0/LlmAdapters.dll lib/net8.0/LlmAdapters.xml lib/net10.0/LlmAdapters.dll lib/net10.0/LlmAdapters.xml"
# Packed on linux-x64, the package also carries the ReadyToRun image for linux-x64 (src/LlmAdapters/ReadyToRun.targets).
readytorun=false
if [ "$(uname -s)" = Linux ] && [ "$(uname -m)" = x86_64 ]; then
  readytorun=true
  for rid in linux-x64 win-x64 osx-arm64 linux-arm64 osx-x64 win-x86; do expected_entries="$expected_entries runtimes/$rid/lib/net10.0/LlmAdapters.dll"; done
fi
for entry in $expected_entries; do
  grep -q " $entry\$" <<<"$contents" || { echo "The package lacks $entry" >&2; exit 1; }
done

echo "== fresh console project in $app"
cat > "$app/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
  </packageSources>
</configuration>
EOF
cat > "$app/SmokeApp.csproj" <<'EOF'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
  </PropertyGroup>
  <ItemGroup>
    <FrameworkReference Include="Microsoft.AspNetCore.App" />
  </ItemGroup>
</Project>
EOF
cat > "$app/Program.cs" <<'EOF'
using System.Text.Json;
using LlmAdapters;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// A minimal OpenAI-style vendor on 127.0.0.1: chat completions streamed as Server-Sent Events.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.UseUrls("http://127.0.0.1:0");
var server = builder.Build();
server.MapPost("/v1/chat/completions", async (HttpContext context) =>
{
    if (context.Request.Headers.Authorization.ToString() != "Bearer smoke-key")
    {
        context.Response.StatusCode = 401;
        await context.Response.WriteAsync("""{"error":{"message":"bad key"}}""");
        return;
    }

    using var body = await JsonDocument.ParseAsync(context.Request.Body);
    var messages = body.RootElement.GetProperty("messages");
    var question = messages[messages.GetArrayLength() - 1].GetProperty("content").GetString();
    context.Response.ContentType = "text/event-stream";
    foreach (var piece in new[] { "pong", ": ", question })
    {
        var chunk = JsonSerializer.Serialize(new { choices = new[] { new { index = 0, delta = new { content = piece } } } });
        await context.Response.WriteAsync($"data: {chunk}\n\n");
        await context.Response.Body.FlushAsync();
    }

    await context.Response.WriteAsync("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":3,\"total_tokens\":4}}\n\ndata: [DONE]\n\n");
});
await server.StartAsync();
var baseUrl = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/v1";

if (Directory.Exists("adapters") || Directory.Exists(Path.Combine(AppContext.BaseDirectory, "adapters")))
{
    Console.Error.WriteLine("An adapters folder exists; the smoke test must run with the built-in adapters only.");
    return 1;
}

var services = new ServiceCollection();
services.AddLlmAdapters(o => o.Profiles["smoke"] = new LlmProfile
{
    Adapter = "openai",
    BaseUrl = baseUrl,
    Variables = { ["apikey"] = "smoke-key", ["model"] = "smoke-model" },
});
await using var provider = services.BuildServiceProvider();
var client = provider.GetRequiredService<ILlmClientFactory>().CreateClient("smoke");
var response = await client.CallAsync(new LlmRequest { Prompt = "ping" });
await server.StopAsync();

Console.WriteLine($"Answer: {response.Text}");
Console.WriteLine($"Usage: {response.Usage?.TotalTokens}");

// Which LlmAdapters.dll the host loaded, and whether it carries precompiled (ReadyToRun) code.
var library = typeof(LlmCatalog).Assembly.Location;
using (var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(library)))
{
    var readyToRun = pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
    Console.WriteLine($"Library: {Path.GetRelativePath(Path.GetFullPath(Path.Combine(library, "../../../../..")), library)} (ReadyToRun: {(readyToRun ? "yes" : "no")})");
}

// The package's other precompiled images: each for the runtime its folder names (the PE machine field of a ReadyToRun
// image is the architecture XOR a value per OS: 0 Windows, 0x7B79 Linux, 0x4644 macOS).
var runtimesDir = Path.GetFullPath(Path.Combine(library, "../../../../..", "runtimes"));
string[] imageDirs = Directory.Exists(runtimesDir) ? [.. Directory.GetDirectories(runtimesDir).Order()] : [];
foreach (var dir in imageDirs)
{
    using var image = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(Path.Combine(dir, "lib/net10.0/LlmAdapters.dll")));
    var machine = (ushort)image.PEHeaders.CoffHeader.Machine;
    var os = new[] { ("windows", 0), ("linux", 0x7B79), ("osx", 0x4644) }.FirstOrDefault(o => (machine ^ o.Item2) is 0x8664 or 0xAA64 or 0x14C);
    var arch = (machine ^ os.Item2) switch { 0x8664 => "x64", 0xAA64 => "arm64", 0x14C => "x86", _ => "unknown" };
    Console.WriteLine($"Image: {Path.GetFileName(dir)} is {os.Item1}-{arch} (ReadyToRun: {(image.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0 ? "yes" : "no")})");
}

return response.Text == "pong: ping" && response.Usage?.TotalTokens == 4 ? 0 : 1;
EOF
(cd "$app" && dotnet add package LlmAdapters --version "$version")
grep -q "Include=\"LlmAdapters\" Version=\"$version\"" "$app/SmokeApp.csproj"

echo "== run the console project"
log="$work/run.log"
(cd "$app" && dotnet run -c Release) 2>&1 | tee "$log"
grep -q "^Answer: pong: ping$" "$log"
if [ "$readytorun" = true ]; then
  # On linux-x64 the host must pick the package's precompiled runtimes/linux-x64 assembly over the IL one in lib/.
  grep -q "^Library: runtimes/linux-x64/lib/net10.0/LlmAdapters.dll (ReadyToRun: yes)$" "$log"
  for image in "linux-x64 is linux-x64" "win-x64 is windows-x64" "osx-arm64 is osx-arm64" "linux-arm64 is linux-arm64" "osx-x64 is osx-x64" "win-x86 is windows-x86"; do
    grep -q "^Image: $image (ReadyToRun: yes)$" "$log" || { echo "The package's image for ${image%% *} is not a ReadyToRun image for its runtime" >&2; exit 1; }
  done
else
  grep -q "^Library: lib/net10.0/LlmAdapters.dll (ReadyToRun: no)$" "$log"
fi

echo "== install the tool and list the adapters"
dotnet tool install --tool-path "$work/tools" --add-source "$feed" LlmAdapters.Cli --version "$version"
"$work/tools/llm-adapters" --version
(cd "$work" && "$work/tools/llm-adapters" list) | tee "$log"
grep -q "^openai  (built-in) openai.json" "$log"
"$work/tools/llm-adapters" validate "$repo/adapters" >/dev/null
"$work/tools/llm-adapters" schema | cmp - "$repo/adapters/llm-adapter.schema.json"

# The code block after the line "<!-- smoke: NAME" in README.md.
readme_block() {
  awk -v name="$1" '
    index($0, "<!-- smoke: " name) == 1 { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }
  ' "$repo/README.md"
}

echo "== README: the local-feed route of Install, word for word, in an empty home folder"
home="$work/home"
readme_app="$work/readme-app"
readme_packages="$work/readme-packages" # no package from an earlier run can stand in for this run's
mkdir -p "$home" "$readme_app"
cat > "$readme_app/ReadmeApp.csproj" <<'EOF'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
  </PropertyGroup>
  <ItemGroup>
    <!-- Only for the loopback vendor the smoke test puts in front of the README's example. -->
    <FrameworkReference Include="Microsoft.AspNetCore.App" />
    <None Update="appsettings.json" CopyToOutputDirectory="PreserveNewest" />
  </ItemGroup>
</Project>
EOF
route=$(readme_block local-feed)
grep -q "dotnet add package LlmAdapters" <<<"$route" || { echo "README.md has no local-feed block" >&2; exit 1; }
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue ;; esac
  echo "+ $line"
  case "$line" in
    # "in a clone of this repository" (the packages it restores to build come from the usual cache)
    "dotnet pack "*) (cd "$repo" && export HOME="$home" NUGET_PACKAGES="$packages" && eval "$line --nologo -v quiet") ;;
    # "in your project"
    *) (cd "$readme_app" && export HOME="$home" NUGET_PACKAGES="$readme_packages" && eval "$line") ;;
  esac
done <<<"$route"
grep -q 'Include="LlmAdapters"' "$readme_app/ReadmeApp.csproj"
"$home/.dotnet/tools/llm-adapters" schema | cmp - "$repo/adapters/llm-adapter.schema.json"

echo "== README: the dependency-injection example, as written, in that project"
program=$(readme_block di.cs)
# Its packages (LlmAdapters itself came from the local feed above).
while IFS= read -r line; do
  command=${line#// }
  [ "$command" = "dotnet add package LlmAdapters" ] && continue
  echo "+ $command"
  (cd "$readme_app" && export HOME="$home" NUGET_PACKAGES="$readme_packages" && eval "$command")
done < <(grep -E '^// dotnet add package ' <<<"$program")
readme_block appsettings.json > "$readme_app/appsettings.json"
{
  # The example's using directives, then a loopback vendor that the profile's BaseUrl and apikey are pointed at through
  # environment variables (as the example's comment suggests for keys), then the example's statements.
  grep -E '^using [A-Za-z.]+;$' <<<"$program"
  cat <<'EOF'
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

var vendor = WebApplication.CreateSlimBuilder(args);
vendor.Logging.ClearProviders();
vendor.WebHost.UseUrls("http://127.0.0.1:0");
var server = vendor.Build();
server.MapPost("/v1/chat/completions", async (HttpContext context) =>
{
    if (context.Request.Headers.Authorization.ToString() != "Bearer readme-key")
    {
        context.Response.StatusCode = 401;
        return;
    }

    using var body = await JsonDocument.ParseAsync(context.Request.Body);
    var messages = body.RootElement.GetProperty("messages");
    var question = messages[messages.GetArrayLength() - 1].GetProperty("content").GetString();
    context.Response.ContentType = "text/event-stream";
    var chunk = JsonSerializer.Serialize(new { choices = new[] { new { index = 0, delta = new { content = "pong: " + question } } } });
    await context.Response.WriteAsync($"data: {chunk}\n\ndata: [DONE]\n\n");
});
await server.StartAsync();
var vendorUrl = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/v1";
Environment.SetEnvironmentVariable("LlmAdapters__Profiles__kimi__BaseUrl", vendorUrl);
Environment.SetEnvironmentVariable("LlmAdapters__Profiles__kimi__Variables__apikey", "readme-key");
EOF
  grep -vE '^(using [A-Za-z.]+;|// dotnet add package .*)$' <<<"$program"
} > "$readme_app/Program.cs"
(cd "$readme_app" && export HOME="$home" NUGET_PACKAGES="$readme_packages" && dotnet run -c Release) 2>&1 | tee "$log"
grep -q "^pong: 你好$" "$log"

echo "package smoke test passed in $(( $(date +%s) - started )) s (LlmAdapters $version)"
