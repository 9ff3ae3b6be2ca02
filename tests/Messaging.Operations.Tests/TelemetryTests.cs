using System.Diagnostics;
using Messaging.Diagnostics;
using Messaging.Kafka;
using Messaging.Operations.Tests.Infrastructure;
using Messaging.Outbox;
using Messaging.Publishing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Messaging.Operations.Tests;

/// <summary>
/// Telemetry as a user's OpenTelemetry SDK sees it (AddSource/AddMeter with the documented names, the in-memory exporter):
/// one trace from an HTTP request through the outbox and the broker to the handler, and every documented instrument.
/// </summary>
public abstract class TelemetryTests(OpsFixture fixture)
{
    private static readonly ActivitySource Http = new("Tests.Http");

    /// <summary>The instruments README "Telemetry" documents on the <c>Messaging</c> meter.</summary>
    private static readonly string[] Documented =
    [
        TelemetryNames.SentMessages, TelemetryNames.OperationDuration, TelemetryNames.ConsumedMessages, TelemetryNames.ProcessDuration,
        TelemetryNames.Retries, TelemetryNames.DeadLettered, TelemetryNames.DuplicatesSkipped, TelemetryNames.OutboxPending,
        TelemetryNames.OutboxOldestPendingAge, TelemetryNames.OutboxBatchSize, TelemetryNames.OutboxDispatchDuration,
    ];

    [Fact]
    public async Task One_trace_runs_from_the_request_through_the_outbox_and_the_broker_to_the_handler_and_every_instrument_reports()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        await using var app = OpsApp.Create(fixture, services: s => s.AddOpenTelemetry()
            .WithTracing(t => t.AddSource("Tests.Http", TelemetryNames.SourceName).AddInMemoryExporter(spans))
            .WithMetrics(m => m.AddMeter(TelemetryNames.SourceName, KafkaTelemetry.MeterName).AddInMemoryExporter(metrics)));
        await app.StartAsync();

        string messageId;
        ActivityTraceId traceId;
        using (var httpRequest = Http.StartActivity("POST /orders", ActivityKind.Server))
        {
            traceId = httpRequest!.TraceId;
            messageId = await app.PlaceAsync("t-1");
        }
        var poison = await app.PlaceAsync("t-2", poison: true);
        await PlaceAgainAsync(app, messageId); // a duplicate the inbox skips
        await Wait.UntilAsync(async () => await app.AppliedAsync(messageId) == 1 && await app.DeadLetterAsync(poison) is not null
            && spans.Count(s => s.OperationName.StartsWith("process ", StringComparison.Ordinal) && Tag(s, TelemetryNames.MessageId) == messageId) == 2,
            "the order applied, its duplicate processed and the poison order dead-lettered");
        if (fixture.Broker.Transport == "RabbitMq") await RefusedPublishAsync(app);

        var trace = spans.Where(s => s.TraceId == traceId).ToList();
        var request = Assert.Single(trace, s => s.OperationName == "POST /orders");
        var send = Assert.Single(trace, s => s.Kind == ActivityKind.Producer);
        var process = Assert.Single(trace, s => s.Kind == ActivityKind.Consumer);
        Assert.Equal($"send {app.Destination}", send.OperationName);
        Assert.Equal(request.SpanId, send.ParentSpanId); // the dispatcher's send continues the request that wrote the row
        Assert.Equal((fixture.Broker.Transport.ToLowerInvariant(), messageId), (Tag(send, TelemetryNames.System), Tag(send, TelemetryNames.MessageId)));
        Assert.Equal(send.SpanId, process.ParentSpanId);
        Assert.Contains(process.Links, l => l.Context.SpanId == send.SpanId);
        Assert.Equal(app.Endpoint, Tag(process, TelemetryNames.ConsumerGroup));

        // Gauges are observed on their own schedule (the dispatcher's at most every 5 s, Kafka lag about once a second).
        var kafka = fixture.Broker.Transport == "Kafka";
        await Wait.UntilAsync(() => Task.FromResult(Flush(app, metrics) is var names && names.Contains(TelemetryNames.OutboxPending)
            && (!kafka || names.Contains(KafkaTelemetry.ConsumerLag))), "the dispatcher's gauges and, on Kafka, the consumer lag");
        var seen = Flush(app, metrics);
        Assert.All(Documented, name => Assert.Contains(name, seen));
        var deadLettered = Points(metrics, TelemetryNames.DeadLettered);
        Assert.Contains(deadLettered, p => p.Tags[TelemetryNames.DeadLetterReasonKind] == "handler_failed"
            && p.Tags[TelemetryNames.ErrorType] == typeof(InvalidOperationException).FullName);
        if (fixture.Broker.Transport == "RabbitMq")
            Assert.Contains(Points(metrics, TelemetryNames.SentMessages), p => p.Tags.GetValueOrDefault(TelemetryNames.ErrorType) == nameof(PublishFailure.Unroutable));
    }

    private static async Task PlaceAgainAsync(OpsApp app, string messageId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OpsContext>();
        scope.ServiceProvider.GetRequiredService<IOutbox>().Enqueue(new Ordered("t-1", false), new PublishOptions { MessageId = messageId });
        await db.SaveChangesAsync();
    }

    /// <summary>A direct publish RabbitMQ returns unroutable: counted with <c>error.type</c>.</summary>
    private static async Task RefusedPublishAsync(OpsApp app)
    {
        var publisher = app.Services.GetRequiredService<IMessagePublisher>();
        var envelope = new Envelope { MessageId = Envelope.NewMessageId(), MessageType = "ops.nobody", Destination = "nobody-" + app.Endpoint, Body = "{}"u8.ToArray() };
        await Assert.ThrowsAsync<PublishException>(() => publisher.PublishEnvelopeAsync(envelope));
    }

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name)?.ToString();

    private static HashSet<string> Flush(OpsApp app, List<Metric> metrics)
    {
        app.Services.GetRequiredService<MeterProvider>().ForceFlush();
        return [.. metrics.Select(m => m.Name)];
    }

    private static List<(Dictionary<string, string?> Tags, long Sum)> Points(List<Metric> metrics, string name)
    {
        var points = new List<(Dictionary<string, string?>, long)>();
        foreach (var metric in metrics.Where(m => m.Name == name))
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var tags = new Dictionary<string, string?>();
                foreach (var tag in point.Tags) tags[tag.Key] = tag.Value?.ToString();
                points.Add((tags, point.GetSumLong()));
            }
        return points;
    }
}

public sealed class RabbitMqTelemetry(RabbitSqlite fixture) : TelemetryTests(fixture), IClassFixture<RabbitSqlite>;

public sealed class KafkaTelemetryTests(KafkaSqlite fixture) : TelemetryTests(fixture), IClassFixture<KafkaSqlite>;
