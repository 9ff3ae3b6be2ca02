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

    /// <summary>The producer span of one send: parented to the current span (a direct publish), else to the trace that
    /// created the message (an outbox row carries its <c>traceparent</c>); null when nobody listens.</summary>
    public static Activity? StartSend(string system, Envelope envelope)
    {
        if (!Source.HasListeners()) return null; // runs per message: skip building the name when nobody listens
        var parent = Activity.Current is null && envelope.Headers.TryGetValue(HeaderNames.TraceParent, out var traceParent) ? traceParent : null;
        var activity = Source.StartActivity("send " + envelope.Destination, ActivityKind.Producer, parent);
        activity?.SetTag(TelemetryNames.System, system.ToLowerInvariant());
        activity?.SetTag(TelemetryNames.DestinationName, envelope.Destination);
        activity?.SetTag(TelemetryNames.MessageId, envelope.MessageId);
        return activity;
    }

    /// <summary>The envelope as sent: with the send span as its <c>traceparent</c>, so the consumer's span continues it.</summary>
    public static Envelope Carry(Activity? send, Envelope envelope)
    {
        if (send?.Id is not { } id) return envelope;
        var headers = new Dictionary<string, string>(envelope.Headers) { [HeaderNames.TraceParent] = id };
        return envelope with { Headers = headers };
    }

    /// <summary>Marks a send span failed with the publish failure.</summary>
    public static void Failed(Activity? send, Publishing.PublishException failure)
    {
        send?.SetStatus(ActivityStatusCode.Error, failure.Failure.ToString());
        send?.SetTag("error.type", failure.Failure.ToString());
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
