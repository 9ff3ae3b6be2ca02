using Messaging.Publishing;
using Messaging.Transport;
using Xunit;

namespace Messaging.Testing;

/// <summary>
/// The compliance of a transport with <see cref="TransportCapabilities.UnroutableDetection"/> (RabbitMQ's <c>mandatory</c>,
/// the in-memory transport): a publish that reaches no consumer fails. A transport without the capability (Kafka: the topic
/// stores the record) does not derive from this class, so it runs no test it cannot pass.
/// </summary>
public abstract class UnroutableDetectionCompliance<TFixture>(TFixture fixture) : TransportComplianceTests<TFixture>(fixture)
    where TFixture : class, ITransportFixture
{
    /// <summary>A publish to a destination no endpoint is bound to throws <see cref="PublishException"/> with
    /// <see cref="PublishFailure.Unroutable"/>, the message id, and the destination in its message.</summary>
    [Fact]
    public async Task Unroutable_publish_throws()
    {
        await using var t = await StartTransportAsync();
        Assert.True(t.Transport.Capabilities.HasFlag(TransportCapabilities.UnroutableDetection), $"{Fixture.TransportName} claims UnroutableDetection");
        var nowhere = NewEnvelope(Names.Unique("nowhere"), null, [1]);
        var ex = await Assert.ThrowsAsync<PublishException>(() => t.Transport.SendAsync(nowhere, CancellationToken.None));
        Assert.Equal(PublishFailure.Unroutable, ex.Failure);
        Assert.Equal(nowhere.MessageId, ex.MessageId);
        Assert.Contains(nowhere.Destination, ex.Message, StringComparison.Ordinal);
    }
}
