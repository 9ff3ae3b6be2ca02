namespace Messaging.RabbitMq;

/// <summary>
/// RabbitMQ transport settings, bound from the configuration section <c>Messaging:RabbitMq</c> and
/// validated at start-up when <c>Messaging:Transport</c> is <c>RabbitMq</c> (an invalid value stops the
/// host with an error naming the key and the allowed values).
/// </summary>
public sealed class RabbitMqOptions
{
    /// <summary>The configuration section name: <c>Messaging:RabbitMq</c>.</summary>
    public const string SectionName = "Messaging:RabbitMq";

    /// <summary><c>Messaging:RabbitMq:Uri</c>: the broker as an <c>amqp://</c> or <c>amqps://</c> URI with user,
    /// password, host, port and virtual host. Default <c>amqp://guest:guest@127.0.0.1:5672/</c>.
    /// It is a secret: the library never logs it or puts it in exception messages (host and vhost only).</summary>
#pragma warning disable CA1056 // a string binds from configuration and lets the validator report a bad value by key
    public string Uri { get; set; } = "amqp://guest:guest@127.0.0.1:5672/";
#pragma warning restore CA1056

    /// <summary><c>Messaging:RabbitMq:Prefetch</c>: unacknowledged messages the broker sends ahead to one
    /// consumer (count, 1..65535, the AMQP <c>basic.qos</c> prefetch-count). Default 100. Messages are still
    /// handled one at a time in delivery order.</summary>
    public int Prefetch { get; set; } = 100;

    /// <summary><c>Messaging:RabbitMq:QueueType</c>: <c>Quorum</c> (default) or <c>Classic</c>, for endpoint and
    /// dead-letter queues. Changing it for an existing queue fails start-up (the broker refuses the redeclare).</summary>
    public RabbitMqQueueType QueueType { get; set; } = RabbitMqQueueType.Quorum;

    /// <summary><c>Messaging:RabbitMq:PublishTimeoutMs</c>: longest wait for a publisher confirm (ms,
    /// 1..600000) before a publish fails with <c>PublishFailure.Timeout</c>. Default 30000.</summary>
    public int PublishTimeoutMs { get; set; } = 30_000;

    /// <summary><c>Messaging:RabbitMq:MaxOutstandingConfirms</c>: publishes awaiting their confirm at once on the
    /// publish channel (count, 1..65535); further publishes wait, in order. Default 256.</summary>
    public int MaxOutstandingConfirms { get; set; } = 256;

    /// <summary><c>Messaging:RabbitMq:ClientProvidedName</c>: the connection name shown in the management UI;
    /// null or empty for the <c>Messaging:Endpoint</c> value.</summary>
    public string? ClientProvidedName { get; set; }
}
