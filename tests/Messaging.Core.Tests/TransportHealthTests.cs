using Messaging.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Messaging.Tests;

/// <summary>A transport's one outage state: the broker's reachability and the outbox's publishing pause, on the host's clock.</summary>
public class TransportHealthTests
{
    [Fact]
    public void Publishing_pause_starts_once_keeps_its_first_reason_summarizes_once_a_minute_and_ends_with_its_length()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero));
        var health = new TransportHealth("RabbitMq", NullLogger.Instance, clock);
        Assert.Null(health.PublishPausedSince);

        Assert.True(health.PausePublishing("confirm timed out"));
        Assert.False(health.PausePublishing("connection refused")); // already paused: the first reason stays
        Assert.Equal((clock.GetUtcNow(), "confirm timed out"), (health.PublishPausedSince, health.PublishPauseReason));
        Assert.True(health.IsAvailable); // a pause can start while the client still reaches the broker (a publish timed out)

        Assert.False(health.PublishPauseSummaryDue(out _, out _));
        clock.Advance(TransportHealth.SummaryInterval);
        Assert.True(health.PublishPauseSummaryDue(out var pausedFor, out var reason));
        Assert.Equal((TimeSpan.FromSeconds(60), "confirm timed out"), (pausedFor, reason));
        Assert.False(health.PublishPauseSummaryDue(out _, out _)); // once per interval

        clock.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(TimeSpan.FromSeconds(75), health.ResumePublishing());
        Assert.Null(health.ResumePublishing());
        Assert.Null(health.PublishPausedSince);
    }
}
