using System.Text.Json;
using Messaging.Benchmarks.E2e;
using Messaging.Benchmarks.Peers.Wolverine;

// Wolverine's side of the e2e.orders and e2e.latency scenarios, driven by the harness over stdin/stdout (E2eProtocol).
var peer = new OrdersPeer(PeerArguments.Parse(args));
var output = Console.Out;
void Reply(PeerReply reply) => output.WriteLine(E2eProtocol.Prefix + JsonSerializer.Serialize(reply, E2eProtocol.Json));

try
{
    while (Console.ReadLine() is { } line)
    {
        var command = JsonSerializer.Deserialize<PeerCommand>(line, E2eProtocol.Json);
        if (command is null || command.Command == "exit") break;
        try
        {
            switch (command.Command)
            {
                case "setup": await peer.SetupAsync(CancellationToken.None); Reply(new PeerReply(true)); break;
                case "prepare": await peer.PrepareAsync(CancellationToken.None); Reply(new PeerReply(true)); break;
                case "run": Reply(await peer.RunAsync(command.Orders, command.PerSecond, CancellationToken.None)); break;
                default: Reply(new PeerReply(false, $"unknown command '{command.Command}'")); break;
            }
        }
        catch (Exception ex)
        {
            Reply(new PeerReply(false, $"{ex.GetType().Name}: {ex.Message}" + (ex.InnerException is { } inner ? $" <- {inner.Message}" : "")));
        }
    }
}
finally
{
    await peer.DisposeAsync();
}
return 0;
