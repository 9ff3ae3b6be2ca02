using Messaging.Transport;
using Microsoft.Extensions.Options;

namespace Messaging.Kafka;

/// <summary>The dead-letter topic of each topic an endpoint consumes, read from the position of the <c>messaging</c> tool's
/// default consumer group (<c>messaging-cli</c>), so a page shows what the tool has not removed; reading never joins the
/// group or commits.</summary>
internal sealed class KafkaDeadLetterSource(IOptions<KafkaOptions> options, TimeProvider time) : IBrokerDeadLetterSource
{
    /// <summary>The <c>messaging</c> tool's default consumer group on dead-letter topics (its <c>--cli-group</c>).</summary>
    public const string ToolGroup = "messaging-cli";

    public string Transport => KafkaTransport.TransportName;

    public IReadOnlyList<IBrokerDeadLetters> OpenForReading(ConsumerEndpoint endpoint) =>
        [.. endpoint.Destinations.Select(topic => new KafkaDeadLetterTopic(options.Value, topic, ToolGroup, endpoint.Name, forChanges: false, "messaging-dashboard", time))];
}
