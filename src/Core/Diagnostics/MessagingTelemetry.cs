using System.Diagnostics;
using System.Diagnostics.Metrics;
using Messaging.Transport;

namespace Messaging.Diagnostics;

/// <summary>The library's <see cref="ActivitySource"/> and <see cref="Meter"/> (both <see cref="TelemetryNames.SourceName"/>)
/// and every instrument on it; the names and what they mean are in <see cref="TelemetryNames"/>.</summary>
internal static class MessagingTelemetry
{
    public static readonly ActivitySource Source = new(TelemetryNames.SourceName);
    public static readonly Meter Meter = new(TelemetryNames.SourceName);
    public static readonly Counter<long> Sent = Meter.CreateCounter<long>(TelemetryNames.SentMessages, "{message}",
        "Messages handed to the broker; those with error.type were not confirmed");
    public static readonly Histogram<double> PublishDuration = Meter.CreateHistogram<double>(TelemetryNames.OperationDuration, "s",
        "Time until the broker confirmed or refused a published message");
    public static readonly Counter<long> Consumed = Meter.CreateCounter<long>(TelemetryNames.ConsumedMessages, "{message}",
        "Messages received and processed");
    public static readonly Histogram<double> ProcessDuration = Meter.CreateHistogram<double>(TelemetryNames.ProcessDuration, "s",
        "Time to process one received message, retries included");
    public static readonly Counter<long> Retries = Meter.CreateCounter<long>(TelemetryNames.Retries, "{retry}", "Failed handler attempts that were retried");
    public static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>(TelemetryNames.DeadLettered, "{message}", "Messages dead-lettered");
    public static readonly Counter<long> SkippedUnhandled = Meter.CreateCounter<long>(TelemetryNames.Skipped, "{message}",
        "Messages acknowledged unhandled: no handler on this endpoint and Messaging:UnhandledMessages = Skip");
    public static readonly Counter<long> DuplicatesSkipped = Meter.CreateCounter<long>(TelemetryNames.DuplicatesSkipped, "{message}",
        "Handler executions skipped by the inbox");

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
        activity?.SetTag(TelemetryNames.OperationName, "send");
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
        send?.SetTag(TelemetryNames.ErrorType, failure.Failure.ToString());
    }

    /// <summary>Counts one publish outcome and its duration; <paramref name="failure"/> null for a confirmed one.</summary>
    public static void Published(string system, string destination, int count, TimeSpan elapsed, Publishing.PublishFailure? failure)
    {
        var tags = new TagList
        {
            { TelemetryNames.System, system.ToLowerInvariant() },
            { TelemetryNames.DestinationName, destination },
            { TelemetryNames.OperationName, "send" },
        };
        if (failure is { } f) tags.Add(TelemetryNames.ErrorType, f.ToString());
        Sent.Add(count, tags);
        for (var i = 0; i < count; i++) PublishDuration.Record(elapsed.TotalSeconds, tags);
    }

    /// <summary>The consumer span: its parent is the message's <c>traceparent</c> (the producer's send span) and it links to
    /// that span too, so a trace viewer shows the hop even where the parent is dropped (a sampled-out producer).</summary>
    public static Activity? StartProcess(string endpoint, Envelope envelope)
    {
        if (!Source.HasListeners()) return null; // runs per message: skip building the name when nobody listens
        envelope.Headers.TryGetValue(HeaderNames.TraceParent, out var parent);
        ActivityLink[]? links = parent is not null && ActivityContext.TryParse(parent, null, out var sender) ? [new ActivityLink(sender)] : null;
        var activity = Source.StartActivity("process " + envelope.Destination, ActivityKind.Consumer, parent, links: links);
        activity?.SetTag(TelemetryNames.DestinationName, envelope.Destination);
        activity?.SetTag(TelemetryNames.MessageId, envelope.MessageId);
        activity?.SetTag(TelemetryNames.ConsumerGroup, endpoint);
        activity?.SetTag(TelemetryNames.OperationName, "process");
        return activity;
    }

    public static void Retried(string destination, string endpoint, string kind) =>
        Retries.Add(1, new TagList { { TelemetryNames.DestinationName, destination }, { TelemetryNames.ConsumerGroup, endpoint }, { TelemetryNames.RetryKind, kind } });

    public static void DeadLetter(string destination, string endpoint, DeadLetterReason reason) =>
        DeadLettered.Add(1, new TagList
        {
            { TelemetryNames.DestinationName, destination },
            { TelemetryNames.ConsumerGroup, endpoint },
            { TelemetryNames.DeadLetterReasonKind, reason.Kind },
            { TelemetryNames.ErrorType, reason.ExceptionType ?? reason.Kind },
        });

    public static void Skipped(string destination, string endpoint, string kind) =>
        SkippedUnhandled.Add(1, new TagList { { TelemetryNames.DestinationName, destination }, { TelemetryNames.ConsumerGroup, endpoint }, { TelemetryNames.DeadLetterReasonKind, kind } });

    public static void Duplicate(string endpoint, string handler) =>
        DuplicatesSkipped.Add(1, new TagList { { TelemetryNames.ConsumerGroup, endpoint }, { TelemetryNames.HandlerName, handler } });
}
