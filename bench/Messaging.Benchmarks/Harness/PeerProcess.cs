using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Messaging.Benchmarks.E2e;

namespace Messaging.Benchmarks.Harness;

/// <summary>
/// A peer library's side of a scenario in a child process (bench/Peers.*), spoken to over stdin/stdout with
/// <see cref="E2eProtocol"/>. Its stderr and any stray stdout lines go to the harness log, prefixed with its name.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _replies = Channel.CreateUnbounded<string>();
    private readonly string _name;

    private PeerProcess(Process process, string name, TextWriter log)
    {
        _process = process;
        _name = name;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) _replies.Writer.TryComplete();
            else if (e.Data.StartsWith(E2eProtocol.Prefix, StringComparison.Ordinal)) _replies.Writer.TryWrite(e.Data[E2eProtocol.Prefix.Length..]);
            else log.WriteLine($"   [{name}] {e.Data}");
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) log.WriteLine($"   [{name}] {e.Data}");
        };
    }

    public static PeerProcess Start(string name, string dll, IEnumerable<string> arguments, TextWriter log)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {dll}");
        var peer = new PeerProcess(process, name, log);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>Sends a command and waits for its reply; a reply that is not ok throws with the peer's error.</summary>
    public async Task<PeerReply> SendAsync(PeerCommand command, CancellationToken cancellationToken)
    {
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command, E2eProtocol.Json).AsMemory(), cancellationToken);
        await _process.StandardInput.FlushAsync(cancellationToken);
        string line;
        try
        {
            line = await _replies.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"{_name} exited during '{command.Command}' (exit code {(_process.HasExited ? _process.ExitCode : -1)})");
        }
        var reply = JsonSerializer.Deserialize<PeerReply>(line, E2eProtocol.Json) ?? throw new InvalidOperationException($"{_name} sent an empty reply");
        return reply.Ok ? reply : throw new InvalidOperationException($"{_name} '{command.Command}' failed: {reply.Error}");
    }

    /// <summary>Asks the peer to exit (it stops its host), and kills it if it has not within 30 s.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(new PeerCommand("exit"), E2eProtocol.Json));
                await _process.StandardInput.FlushAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _process.WaitForExitAsync(timeout.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}
