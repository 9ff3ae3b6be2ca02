using System.Diagnostics.Metrics;
using System.Net;
using System.Text.RegularExpressions;
using Messaging.Handling;
using Messaging.Hosting;
using Messaging.Outbox;
using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Messaging.Dashboard.Tests;

/// <summary>
/// The overview on a service that runs messaging (the in-memory transport): what this instance published, handled and
/// dead-lettered per minute, a broker outage from its start to its end, Kafka lag per partition read from the
/// <c>messaging.kafka.consumer.lag</c> gauge, the start-up guarantees, the inbox per handler, and Failed outbox rows put back
/// to Pending after a confirmation.
/// </summary>
public sealed partial class ActivityTests
{
    [Fact]
    public async Task The_overview_charts_this_instances_messages_and_lists_a_broker_outage_from_start_to_end()
    {
        await using var app = await StartAsync();
        var publisher = app.Services.GetRequiredService<IMessagePublisher>();
        await publisher.PublishAsync(new Ping("p-1", Fail: false));
        await publisher.PublishAsync(new Ping("p-2", Fail: true));
        using var alice = app.Client("alice", "ops");
        await Eventually(async () => Sum(await alice.GetStringAsync("/messaging/"), "dead-lettered") == 1, "the failing ping dead-lettered");

        var overview = await alice.GetStringAsync("/messaging/");
        Assert.Equal(2, Sum(overview, "published"));
        Assert.Equal(1, Sum(overview, "handled"));
        Assert.Contains("<span class=\"ok\">reachable</span>", overview, StringComparison.Ordinal);

        var health = app.Services.GetRequiredService<MessagingTransports>().Primary.Health;
        health.ReportUnavailable("connection refused by 127.0.0.1:5672");
        overview = await alice.GetStringAsync("/messaging/");
        Assert.Contains("unreachable since", overview, StringComparison.Ordinal);
        Assert.Matches("<td>InMemory</td><td>[^<]+</td><td><span class=\"bad\">ongoing</span></td><td>[^<]+</td><td>connection refused by 127.0.0.1:5672</td>", overview);
        health.ReportAvailable();
        overview = await alice.GetStringAsync("/messaging/");
        Assert.DoesNotContain("ongoing", overview, StringComparison.Ordinal);
        Assert.Matches("<td>InMemory</td><td>[^<]+Z</td><td>[^<]+Z</td><td>[^<]+ s</td><td>connection refused by 127.0.0.1:5672</td>", overview);
    }

    [Fact]
    public async Task Kafka_lag_per_partition_comes_from_the_documented_gauge()
    {
        using var meter = new Meter("Messaging.Kafka"); // the Kafka package's meter name and gauge (KafkaTelemetry)
        meter.CreateObservableGauge("messaging.kafka.consumer.lag", () => new[]
        {
            new Measurement<long>(42, new("messaging.consumer.group.name", "billing"), new("messaging.destination.name", "orders"), new("messaging.destination.partition.id", "3")),
        });
        await using var app = await StartAsync();
        using var alice = app.Client("alice", "ops");
        var overview = await alice.GetStringAsync("/messaging/");
        Assert.Contains("<tr><td>billing</td><td>orders</td><td class=\"n\">3</td><td class=\"n\">42</td></tr>", overview, StringComparison.Ordinal);
        Assert.Contains("Kafka consumer lag (all partitions, highest sampled): 42 this minute", overview, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_start_up_guarantees_and_the_inbox_per_handler_have_their_pages()
    {
        await using var app = await StartAsync();
        await app.QueryAsync(db => db.Database.ExecuteSqlRawAsync( // as the inbox writes them
            "INSERT INTO messaging_inbox (message_id, handler_name, received_at, processed_at) VALUES ('m-1', 'ping', '2026-12-07 10:00:00', '2026-12-07 10:00:00'), ('m-2', 'ping', '2026-12-07 10:00:01', '2026-12-07 10:00:01')"));
        using var bob = app.Client("bob");
        var guarantees = await bob.GetStringAsync("/messaging/guarantees");
        Assert.Contains("Endpoint dashboard-tests on InMemory (consumes)", guarantees, StringComparison.Ordinal);
        Assert.Contains("<li>retry: 1 immediate attempt(s)", guarantees, StringComparison.Ordinal);
        Assert.Contains("<tr><td>ping</td><td class=\"n\">2</td>", await bob.GetStringAsync("/messaging/inbox"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failed_outbox_rows_go_back_to_Pending_after_a_confirmation_and_only_for_the_change_policy()
    {
        await using var app = await StartAsync(messaging: false);
        await app.QueryAsync(db => db.Database.ExecuteSqlRawAsync( // as the dispatcher leaves them after their last attempt
            "INSERT INTO messaging_outbox (message_id, message_type, destination, headers, body, content_type, created_at, transport, attempts, status) VALUES "
            + "('m-1', 'ping', 'pings', '{{}}', x'01', 'application/json', '2026-12-07 10:00:00', 'RabbitMq', 5, 'Failed'), "
            + "('m-2', 'ping', 'pings', '{{}}', x'01', 'application/json', '2026-12-07 10:00:00', 'RabbitMq', 5, 'Failed'), "
            + "('m-3', 'ping', 'pings', '{{}}', x'01', 'application/json', '2026-12-07 10:00:00', 'RabbitMq', 5, 'Sent')"));
        using var bob = app.Client("bob");
        Assert.DoesNotContain("retry every Failed row", await bob.GetStringAsync("/messaging/"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.GetAsync("/messaging/confirm-retry")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.PostAsync("/messaging/outbox/retry", new FormUrlEncodedContent([]))).StatusCode);

        using var alice = app.Client("alice", "ops");
        Assert.Contains("2 Failed row(s)", await alice.GetStringAsync("/messaging/"), StringComparison.Ordinal);
        var confirm = await alice.GetStringAsync("/messaging/confirm-retry");
        Assert.Contains("Retry 2 Failed row(s)", confirm, StringComparison.Ordinal);
        var retried = await alice.PostAsync("/messaging/outbox/retry", DashboardTests.Form(confirm));
        Assert.Contains("2 Failed outbox row(s) back to Pending", await retried.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var rows = await app.QueryAsync(db => db.Set<OutboxMessage>().OrderBy(m => m.Id).Select(m => new { m.Status, m.Attempts }).ToListAsync());
        Assert.Equal([(OutboxStatus.Pending, 0), (OutboxStatus.Pending, 0), (OutboxStatus.Sent, 5)], rows.Select(r => (r.Status, r.Attempts)));
    }

    private static Task<DashboardApp> StartAsync(bool messaging = true) => DashboardApp.StartAsync(services: builder =>
    {
        if (!messaging) return;
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "InMemory", ["Messaging:Endpoint"] = "dashboard-tests", ["Messaging:Retry:MaxAttempts"] = "1",
        });
        builder.Services.AddMessaging(builder.Configuration).Map<Ping>("pings", p => p.Id).AddHandler<Ping, PingHandler>("ping");
    });

    /// <summary>The sum of a chart's bars: each bar's title is <c>HH:mmZ: value</c>.</summary>
    private static long Sum(string page, string caption)
    {
        var figure = Regex.Match(page, $"<figure class=\"chart\"><figcaption>{Regex.Escape(caption)}[^<]*</figcaption>(.*?)</figure>");
        Assert.True(figure.Success, $"no chart '{caption}'");
        return BarTitle().Matches(figure.Groups[1].Value).Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not within 15 s: {what}");
            await Task.Delay(50);
        }
    }

    [GeneratedRegex("<title>[0-9:]+Z: ([0-9]+)</title>")]
    private static partial Regex BarTitle();
}

public sealed record Ping(string Id, bool Fail);

public sealed class PingHandler : IMessageHandler<Ping>
{
    public Task HandleAsync(Ping message, MessageContext context, CancellationToken cancellationToken) =>
        message.Fail ? throw new InvalidOperationException($"ping {message.Id} fails") : Task.CompletedTask;
}
