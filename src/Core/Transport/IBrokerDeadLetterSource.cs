namespace Messaging.Transport;

/// <summary>
/// Where a transport puts the dead letters of a consumer endpoint on its broker, for the pages and tools that show them
/// beside the dead-letters table (the dashboard). A transport package registers one as a singleton
/// (<c>TryAddEnumerable</c>); none is needed for a transport without broker dead-letter copies.
/// </summary>
public interface IBrokerDeadLetterSource
{
    /// <summary>The transport's name, as registered (<c>RabbitMq</c>, <c>Kafka</c>).</summary>
    string Transport { get; }

    /// <summary>Readers of <paramref name="endpoint"/>'s dead-letter queues or topics (RabbitMQ: one, <c>&lt;name&gt;.dlq</c>;
    /// Kafka: one per consumed topic, <c>&lt;topic&gt;</c> + <c>DeadLetterTopicSuffix</c>). Nothing connects until a read;
    /// the caller disposes each, which gives back what it read (reading never removes).</summary>
    /// <param name="endpoint">A consumer endpoint of this host.</param>
    /// <returns>The readers; empty when the endpoint has no dead-letter destination on this transport.</returns>
    IReadOnlyList<IBrokerDeadLetters> OpenForReading(ConsumerEndpoint endpoint);
}
