using Xunit;

namespace Messaging.RabbitMq.Tests;

/// <summary>Tests that close every connection or stop the broker: they run alone, after the parallel tests,
/// and leave the broker running.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerFaultCollection
{
    public const string Name = "RabbitMQ broker faults";
}
