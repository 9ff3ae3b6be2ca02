using Messaging.Transport;
using Microsoft.Extensions.Options;

namespace Messaging.RabbitMq;

/// <summary>An endpoint's dead-letter queue (<c>&lt;endpoint&gt;.dlq</c>), read on the application's RabbitMQ settings.</summary>
internal sealed class RabbitMqDeadLetterSource(IOptions<RabbitMqOptions> options) : IBrokerDeadLetterSource
{
    public string Transport => RabbitMqTransport.TransportName;

    public IReadOnlyList<IBrokerDeadLetters> OpenForReading(ConsumerEndpoint endpoint) =>
        [new RabbitMqDeadLetterQueue(options.Value, endpoint.Name, null, "messaging-dashboard")];
}
