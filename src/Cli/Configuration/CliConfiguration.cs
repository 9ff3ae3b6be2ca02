using Microsoft.Extensions.Configuration;

namespace Messaging.Cli.Configuration;

/// <summary>
/// The application's configuration as the CLI reads it: the file given with <c>--config</c>, else <c>appsettings.json</c> in
/// the current folder when there is one (an application's own folder, as <c>dotnet run</c> reads it); its
/// <c>appsettings.&lt;DOTNET_ENVIRONMENT&gt;.json</c> sibling too when present; then environment variables
/// (<c>Messaging__Transport</c>, <c>ConnectionStrings__Orders</c>), the same keys the application reads.
/// </summary>
internal static class CliConfiguration
{
    /// <summary>The file read when <c>--config</c> is not given, if it exists.</summary>
    public const string DefaultFile = "appsettings.json";

    public static IConfiguration Load(string? configFile)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is null && File.Exists(DefaultFile)) configFile = DefaultFile;
        if (configFile is not null)
        {
            var path = Path.GetFullPath(configFile);
            if (!File.Exists(path)) throw new CliException($"--config: no file '{path}'.");
            builder.AddJsonFile(path, optional: false);
            var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT");
            if (!string.IsNullOrEmpty(environment))
                builder.AddJsonFile(Path.Combine(Path.GetDirectoryName(path)!, $"{Path.GetFileNameWithoutExtension(path)}.{environment}.json"), optional: true);
        }
        builder.AddEnvironmentVariables();
        try
        {
            return builder.Build();
        }
        catch (InvalidDataException ex)
        {
            throw new CliException($"--config: '{configFile}' is not valid JSON: {ex.Message}");
        }
    }
}
