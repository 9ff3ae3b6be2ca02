using System.Diagnostics;
using System.Text.Json;

namespace Messaging.ForeignClients;

/// <summary>
/// Runs a client of another language: a Python script of the test project's <c>Foreign/</c> folder, on Debian's python3
/// (where eng/foreign-clients.sh installs python3-pika and python3-confluent-kafka; a python3 earlier on PATH, such
/// as pyenv's, does not see them). The plan, with the one broker address the script may use, goes in a JSON file;
/// the script prints JSON.
/// </summary>
internal static class ForeignPython
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static string Interpreter => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    public static async Task<JsonElement> RunAsync(string script, object plan)
    {
        var planFile = Path.Combine(Path.GetTempPath(), $"wire-plan-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(planFile, JsonSerializer.Serialize(plan));
        try
        {
            var start = new ProcessStartInfo(Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Foreign", script));
            start.ArgumentList.Add(planFile);
            using var process = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(Timeout);
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{script} did not finish within {Timeout.TotalSeconds:0} s.");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{script} exited with {process.ExitCode} (are the foreign clients installed? bash eng/foreign-clients.sh): {await error}");
            return JsonDocument.Parse(await output).RootElement.Clone();
        }
        finally
        {
            File.Delete(planFile);
        }
    }

    /// <summary>A header value sent as text: pika's str (AMQP long string, S); Kafka: its UTF-8 bytes.</summary>
    public static object Str(string text) => new Dictionary<string, object> { ["str"] = text };

    /// <summary>A header value sent as bytes: pika's bytes (AMQP byte array, x); Kafka: the bytes as they are.</summary>
    public static object Bytes(byte[] bytes) => new Dictionary<string, object> { ["bytes"] = Convert.ToHexString(bytes) };

    /// <summary>A header value sent as UTF-8 bytes of <paramref name="text"/>.</summary>
    public static object Bytes(string text) => Bytes(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>A header value sent as an integer (AMQP I or l).</summary>
    public static object Int(long number) => new Dictionary<string, object> { ["int"] = number };

    /// <summary>A header value sent as a nested table (AMQP F).</summary>
    public static object Table() => new Dictionary<string, object> { ["table"] = new Dictionary<string, object> { ["nested"] = 1 } };

    /// <summary>A Kafka header without a value.</summary>
    public static object Null() => new Dictionary<string, object> { ["null"] = true };

    /// <summary>Bytes that are not valid UTF-8.</summary>
    public static readonly byte[] NotUtf8 = [0x61, 0xC3, 0x28];
}
