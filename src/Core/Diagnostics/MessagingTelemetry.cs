using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Messaging.Diagnostics;

internal static class MessagingTelemetry
{
    public static readonly ActivitySource Source = new(TelemetryNames.SourceName);
    public static readonly Meter Meter = new(TelemetryNames.SourceName);
    public static readonly Counter<long> Sent = Meter.CreateCounter<long>(TelemetryNames.SentMessages, "{message}");
    public static readonly Counter<long> Consumed = Meter.CreateCounter<long>(TelemetryNames.ConsumedMessages, "{message}");
    public static readonly Histogram<double> ProcessDuration = Meter.CreateHistogram<double>(TelemetryNames.ProcessDuration, "s");

    public static Activity? StartPublish(string system, Envelope envelope)
    {
        var activity = Source.StartActivity("publish " + envelope.Destination, ActivityKind.Producer);
        activity?.SetTag(TelemetryNames.System, system.ToLowerInvariant());
        activity?.SetTag(TelemetryNames.DestinationName, envelope.Destination);
        activity?.SetTag(TelemetryNames.MessageId, envelope.MessageId);
        return activity;
    }

    public static Activity? StartProcess(string endpoint, Envelope envelope)
    {
        if (!Source.HasListeners()) return null; // runs per message: skip building the name when nobody listens
        envelope.Headers.TryGetValue(HeaderNames.TraceParent, out var parent);
        var activity = Source.StartActivity("process " + envelope.Destination, ActivityKind.Consumer, parent);
        activity?.SetTag(TelemetryNames.DestinationName, envelope.Destination);
        activity?.SetTag(TelemetryNames.MessageId, envelope.MessageId);
        activity?.SetTag(TelemetryNames.ConsumerGroup, endpoint);
        return activity;
    }
}
