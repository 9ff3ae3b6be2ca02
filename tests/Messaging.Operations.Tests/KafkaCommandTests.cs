using Messaging.Operations.Tests.Infrastructure;

namespace Messaging.Operations.Tests;

/// <summary><c>messaging kafka lag</c> and <c>replay</c> on the Kafka mock cluster: lag of a stopped group, a replay by
/// partition@offset that the inbox absorbs, and a clear refusal while the group runs. (The mock has no time index, so
/// <c>--from &lt;time&gt;</c> is for a real cluster; see README "Operations".)</summary>
public sealed class KafkaCommandTests(KafkaSqlite fixture) : IClassFixture<KafkaSqlite>
{
    private string[] Args(params string[] command) => [.. command, .. fixture.Database.CliArguments, .. fixture.Broker.CliArguments];

    [Fact]
    public async Task Replay_of_a_stopped_group_shows_as_lag_and_is_absorbed_by_the_inbox_and_a_running_group_is_refused()
    {
        await using var app = OpsApp.Create(fixture);
        await app.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add(await app.PlaceAsync($"k-{i}"));
        await Wait.UntilAsync(async () => (await Task.WhenAll(ids.Select(app.AppliedAsync))).All(n => n == 1), "every order applied");

        // A replay from before what the inbox remembers (30 days by default) would apply old records again: refused, naming the key.
        var tooOld = await Operator.RunAsync(Args("kafka", "replay", "--group", app.Endpoint, "--topic", app.Destination, "--from",
            DateTimeOffset.UtcNow.AddDays(-40).ToString("O", System.Globalization.CultureInfo.InvariantCulture), "--yes"));
        Assert.Equal(1, tooOld.ExitCode);
        Assert.Contains("Messaging:Outbox:InboxRetentionMs = 2592000000 ms", tooOld.Error, StringComparison.Ordinal);
        Assert.Contains("--past-inbox-retention", tooOld.Error, StringComparison.Ordinal);

        var running = await Operator.RunAsync(Args("kafka", "replay", "--group", app.Endpoint, "--topic", app.Destination, "--from", "0@0", "--yes"));
        Assert.Equal(1, running.ExitCode);
        // The mock cannot describe groups, so the refusal is KafkaReplay's own: it could not own every partition.
        Assert.Contains($"onsumer group '{app.Endpoint}'", running.Error, StringComparison.Ordinal);
        Assert.Contains("stop every member", running.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Single(running.Error.Trim().Split('\n'));
        // The refused replay joined the group and left it, so the app's consumer went through rebalances; a commit that
        // meets one fails and the records come again (the inbox skips them). Committed to the end before the stop, so
        // the stop's own commit is not what the lag below depends on.
        await Wait.UntilAsync(async () => (await Operator.OkAsync(Args("kafka", "lag", "--group", app.Endpoint, "--topic", app.Destination, "--json"))).Json()
            .GetProperty("total").GetInt64() == 0, "the running group committed to the end again");

        await app.StopAsync();
        var lag = (await Operator.OkAsync(Args("kafka", "lag", "--group", app.Endpoint, "--topic", app.Destination, "--json"))).Json();
        Assert.Equal(0, lag.GetProperty("total").GetInt64());
        var partitions = lag.GetProperty("partitions").EnumerateArray().Where(p => p.GetProperty("end").GetInt64() > 0).Select(p => p.GetProperty("partition").GetInt32()).ToList();
        Assert.Equal(5, lag.GetProperty("partitions").EnumerateArray().Sum(p => p.GetProperty("end").GetInt64()));

        var from = string.Join(",", partitions.Select(p => $"{p}@0"));
        var replayed = (await Operator.OkAsync(Args("kafka", "replay", "--group", app.Endpoint, "--topic", app.Destination, "--from", from, "--yes", "--json"))).Json();
        Assert.All(replayed.GetProperty("offsets").EnumerateArray(), o => Assert.Equal(0, o.GetProperty("offset").GetInt64()));
        lag = (await Operator.OkAsync(Args("kafka", "lag", "--group", app.Endpoint, "--topic", app.Destination, "--json"))).Json();
        Assert.Equal(5, lag.GetProperty("total").GetInt64());

        await using var again = OpsApp.Create(fixture, app.Endpoint["ops-".Length..]);
        await again.StartAsync();
        await Wait.UntilAsync(async () => (await Operator.OkAsync(Args("kafka", "lag", "--group", app.Endpoint, "--topic", app.Destination, "--json"))).Json()
            .GetProperty("total").GetInt64() == 0, "the replayed records consumed");
        await again.StopAsync();
        Assert.All(await Task.WhenAll(ids.Select(again.AppliedAsync)), n => Assert.Equal(1, n));
    }
}
