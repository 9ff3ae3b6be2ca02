namespace Messaging.Diagnostics;

/// <summary>
/// Every telemetry name the library emits, after the OpenTelemetry messaging semantic conventions.
/// Subscribe with an OpenTelemetry SDK (<c>AddSource</c>/<c>AddMeter</c> with <see cref="SourceName"/>)
/// or any <see cref="System.Diagnostics.ActivityListener"/> / <see cref="System.Diagnostics.Metrics.MeterListener"/>.
/// </summary>
public static class TelemetryNames
{
    /// <summary>The <c>ActivitySource</c> and <c>Meter</c> name.</summary>
    public const string SourceName = "Messaging";
    /// <summary>Counter: messages confirmed by the broker (count).</summary>
    public const string SentMessages = "messaging.client.sent.messages";
    /// <summary>Counter: messages received and processed (count), with <c>messaging.operation.result</c>.</summary>
    public const string ConsumedMessages = "messaging.client.consumed.messages";
    /// <summary>Histogram: handler processing time (seconds).</summary>
    public const string ProcessDuration = "messaging.process.duration";
    /// <summary>Attribute: the transport (<c>rabbitmq</c>, <c>kafka</c>, <c>inmemory</c>).</summary>
    public const string System = "messaging.system";
    /// <summary>Attribute: topic or exchange.</summary>
    public const string DestinationName = "messaging.destination.name";
    /// <summary>Attribute: the message id.</summary>
    public const string MessageId = "messaging.message.id";
    /// <summary>Attribute: the consumer group or queue.</summary>
    public const string ConsumerGroup = "messaging.consumer.group.name";
    /// <summary>Attribute: outcome of processing: <c>ack</c>, <c>duplicate</c>, <c>dead_letter</c>.</summary>
    public const string Result = "messaging.operation.result";
}
