using Messaging.Publishing;
using Messaging.Transport;
using Xunit;

namespace Messaging.Tests;

public sealed class BatchPublishingTests
{
    private static Envelope Message(string id) => new() { MessageId = id, MessageType = "t", Destination = "d" };

    [Fact]
    public async Task Every_envelope_is_tried_in_order_and_the_refused_ones_are_listed()
    {
        var sent = new List<string>();
        var batch = new[] { Message("a"), Message("b"), Message("c") };

        var ex = await Assert.ThrowsAsync<BatchPublishException>(() => BatchPublishing.SendOneByOneAsync(batch, (e, _) =>
        {
            sent.Add(e.MessageId);
            return e.MessageId == "b" ? throw new PublishException(PublishFailure.Rejected, e.Destination, e.MessageId, "refused") : Task.CompletedTask;
        }, CancellationToken.None));

        Assert.Equal(["a", "b", "c"], sent);
        Assert.Equal("b", Assert.Single(ex.Failures).MessageId);
    }

    [Fact]
    public async Task Another_exception_ends_the_batch_at_once()
    {
        var sent = new List<string>();
        await Assert.ThrowsAsync<OperationCanceledException>(() => BatchPublishing.SendOneByOneAsync([Message("a"), Message("b")], (e, _) =>
        {
            sent.Add(e.MessageId);
            throw new OperationCanceledException();
        }, CancellationToken.None));
        Assert.Equal(["a"], sent);
    }
}
