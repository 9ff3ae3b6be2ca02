using Messaging.Dashboard.Activity;

namespace Messaging.Dashboard.Pages;

/// <summary>The overview's parts that come from what this instance saw (<see cref="MessagingActivity"/>): transports and
/// their outages, per-minute charts of the last hour, Kafka lag per partition.</summary>
internal static class ActivityPage
{
    public static void Transports(Html page, MessagingActivity activity, DateTimeOffset now)
    {
        page.Heading("Transports").Table(["transport", "broker", "publishing", "consumers"], activity.Transports.Select(t => new object?[]
        {
            t.Transport,
            t.IsAvailable ? new HtmlCell("<span class=\"ok\">reachable</span>")
                : new HtmlCell($"<span class=\"bad\">unreachable since {Html.Text(t.UnavailableSince)}</span>: {Html.Text(t.Problem)}"),
            t.PublishPausedSince is { } paused ? new HtmlCell($"<span class=\"bad\">outbox paused since {Html.Text(paused)}</span>: {Html.Text(t.PublishPauseReason)}") : "flowing",
            t.ConsumerProblem is { } problem ? $"{t.ConsumerCondition}: {problem}" : t.ConsumersRunning ? "consuming" : "not consuming here",
        }));
        var outages = activity.Outages();
        page.Heading("Outages", 3).Paragraph($"seen by this instance since it started at {Html.Plain(activity.StartedAt)} (the last {MessagingActivity.MaxOutages})", "muted");
        if (outages.Count == 0) page.Paragraph("none", "muted");
        else
            page.Table(["transport", "from", "to", "length", "problem"], outages.Select(o => new object?[]
            {
                o.Transport, o.StartedAt, o.EndedAt is { } end ? end : new HtmlCell("<span class=\"bad\">ongoing</span>"),
                (o.EndedAt ?? now) - o.StartedAt, o.Problem,
            }));
    }

    public static void Charts(Html page, MessagingActivity activity)
    {
        var hour = activity.LastHour();
        var lags = activity.Lags();
        page.Heading("Last hour, per minute").Paragraph("this instance only; a restart starts empty", "muted")
            .Chart("published (broker-confirmed: the dispatch rate)", [.. hour.Select(m => (m.Minute, m.Published))])
            .Chart("handled (handler runs committed)", [.. hour.Select(m => (m.Minute, m.Handled))])
            .Chart("dead-lettered", [.. hour.Select(m => (m.Minute, m.DeadLettered))]);
        if (lags.Count > 0 || hour.Any(m => m.Lag > 0)) page.Chart("Kafka consumer lag (all partitions, highest sampled)", [.. hour.Select(m => (m.Minute, m.Lag))]);
        if (lags.Count == 0) return;
        page.Heading("Kafka consumer lag", 3).Table(["consumer group", "topic", "partition", "lag (messages)"],
            lags.Select(l => new object?[] { l.Partition.Group, l.Partition.Topic, l.Partition.Partition, l.Lag }));
    }
}
