using System.Text;
using Messaging.RabbitMq.Consuming;
using RabbitMQ.Client.Events;
using RabbitMQ.Client;
using Xunit;

namespace Messaging.RabbitMq.Tests;

public sealed class DeliveryTests
{
    private static Delivery From(params (string Name, object? Value)[] headers) =>
        Delivery.From(new BasicDeliverEventArgs("ctag", 1, false, "orders", "t",
            new BasicProperties { MessageId = "m-1", Headers = headers.ToDictionary(h => h.Name, h => h.Value) }, Encoding.UTF8.GetBytes("{}")));

    [Fact]
    public void Counts_read_from_any_integer_type_and_from_digits()
    {
        var delivery = From((Delivery.DeliveryCountHeader, 2L), (HeaderNames.RetryCount, new BinaryTableValue(Encoding.UTF8.GetBytes("3"))));
        Assert.Null(delivery.Error);
        Assert.Equal(2, delivery.BrokerDeliveryCount);
        Assert.Equal(3, delivery.RetryCount);
        Assert.Equal(3, From((HeaderNames.RetryCount, (byte)3)).RetryCount);
    }

    [Fact]
    public void Retry_count_that_cannot_be_read_makes_the_delivery_unreadable_naming_the_header()
    {
        var delivery = From((HeaderNames.RetryCount, Encoding.UTF8.GetBytes("many")));
        Assert.Null(delivery.Envelope);
        Assert.Equal("header 'retry-count' is 'many', not an integer", delivery.Error);
    }

    [Fact]
    public void Copies_for_retry_and_dead_letter_carry_neither_the_delivery_count_nor_client_headers()
    {
        var delivery = From((Delivery.DeliveryCountHeader, 2L), ("x-dotnet-pub-seq-no", 9L), ("tenant", new BinaryTableValue(Encoding.UTF8.GetBytes("acme"))));
        var copy = delivery.CopyHeaders();
        Assert.Equal(["tenant"], copy.Keys);
        Assert.IsType<BinaryTableValue>(copy["tenant"]); // as it came: a byte array stays a byte array
    }
}
