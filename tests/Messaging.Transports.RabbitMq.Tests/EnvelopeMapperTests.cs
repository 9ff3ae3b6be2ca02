using System.Text;
using RabbitMQ.Client;
using Xunit;

namespace Messaging.RabbitMq.Tests;

/// <summary>Reading an envelope from AMQP properties and headers as other clients send them (docs/wire-format.md).</summary>
public sealed class EnvelopeMapperTests
{
    private static Envelope? Read(BasicProperties properties, out string? error, out IReadOnlyList<HeaderConflict> conflicts) =>
        EnvelopeMapper.TryRead(properties, "orders", Encoding.UTF8.GetBytes("{}"), out error, out conflicts);

    private static BasicProperties WithHeaders(params (string Name, object? Value)[] headers) =>
        new() { Headers = headers.ToDictionary(h => h.Name, h => h.Value) };

    [Fact]
    public void Our_envelope_reads_back_field_for_field()
    {
        var sent = new Envelope
        {
            MessageId = Envelope.NewMessageId(), MessageType = "orders.OrderPlaced", Destination = "orders", PartitionKey = "customer-7",
            CorrelationId = "corr", CausationId = "cause", Headers = new Dictionary<string, string> { ["tenant"] = "acme" },
            Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123),
        };
        var got = Read(EnvelopeMapper.ToProperties(sent), out var error, out var conflicts);
        Assert.Null(error);
        Assert.Empty(conflicts);
        Assert.Equal(sent with { Body = got!.Body, Headers = got.Headers }, got);
        Assert.Equal(sent.Headers, got.Headers);
    }

    [Fact]
    public void Byte_array_headers_read_like_strings()
    {
        var got = Read(WithHeaders(
            (HeaderNames.MessageId, new BinaryTableValue(Encoding.UTF8.GetBytes("m-1"))),
            (HeaderNames.MessageType, new BinaryTableValue(Encoding.UTF8.GetBytes("orders.OrderPlaced"))),
            (HeaderNames.PartitionKey, new BinaryTableValue(Encoding.UTF8.GetBytes("k"))),
            (HeaderNames.CorrelationId, new BinaryTableValue(Encoding.UTF8.GetBytes("c"))),
            (HeaderNames.CausationId, new BinaryTableValue(Encoding.UTF8.GetBytes("d"))),
            (HeaderNames.TraceParent, new BinaryTableValue(Encoding.UTF8.GetBytes("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))),
            ("tenant", new BinaryTableValue(Encoding.UTF8.GetBytes("acme")))), out var error, out _);
        Assert.Null(error);
        Assert.Equal(("m-1", "orders.OrderPlaced", "k", "c", "d"), (got!.MessageId, got.MessageType, got.PartitionKey, got.CorrelationId, got.CausationId));
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", got.Headers[HeaderNames.TraceParent]);
        Assert.Equal("acme", got.Headers["tenant"]);
    }

    [Fact]
    public void Amqp_properties_alone_are_enough()
    {
        var got = Read(new BasicProperties
        {
            MessageId = "m-2", Type = "orders.OrderPlaced", CorrelationId = "c", ContentType = "application/json", Timestamp = new AmqpTimestamp(1_700_000_000),
        }, out var error, out var conflicts);
        Assert.Null(error);
        Assert.Empty(conflicts);
        Assert.Equal(("m-2", "orders.OrderPlaced", "c", "application/json", "orders"), (got!.MessageId, got.MessageType, got.CorrelationId, got.ContentType, got.Destination));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), got.Timestamp);
        Assert.Null(got.PartitionKey);
    }

    [Fact]
    public void Header_wins_over_a_differing_property_and_the_pair_is_reported()
    {
        var properties = WithHeaders((HeaderNames.MessageId, Encoding.UTF8.GetBytes("from-header")), (HeaderNames.MessageType, Encoding.UTF8.GetBytes("t")));
        properties.MessageId = "from-property";
        properties.Type = "t";
        var got = Read(properties, out _, out var conflicts);
        Assert.Equal("from-header", got!.MessageId);
        Assert.Equal(new HeaderConflict(HeaderNames.MessageId, "from-header", "message_id", "from-property"), Assert.Single(conflicts));
    }

    [Fact]
    public void Integer_message_id_reads_as_its_decimal_text()
    {
        var got = Read(WithHeaders((HeaderNames.MessageId, 4_000_000_000L), (HeaderNames.RetryCount, 1)), out var error, out _);
        Assert.Null(error);
        Assert.Equal("4000000000", got!.MessageId);
        Assert.DoesNotContain(HeaderNames.RetryCount, got.Headers.Keys);
    }

    [Theory]
    [InlineData("message-id")]
    [InlineData("message-type")]
    [InlineData("correlation-id")]
    [InlineData("causation-id")]
    [InlineData("partition-key")]
    [InlineData("content-type")]
    [InlineData("destination")]
    [InlineData("traceparent")]
    public void Text_field_of_a_type_that_makes_no_sense_makes_the_delivery_unreadable_naming_the_header(string header)
    {
        var properties = WithHeaders((header, new Dictionary<string, object?> { ["nested"] = 1 }));
        properties.MessageId = "m-3";
        Assert.Null(Read(properties, out var error, out _));
        Assert.Equal($"header '{header}' is a table (F), not text", error);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_make_the_delivery_unreadable_whatever_the_header()
    {
        foreach (var header in new[] { HeaderNames.MessageId, "tenant" })
        {
            var properties = WithHeaders((header, new BinaryTableValue([0x61, 0xC3, 0x28])));
            properties.MessageId = "m-4";
            Assert.Null(Read(properties, out var error, out _));
            Assert.Equal($"header '{header}' is not valid UTF-8", error);
        }
    }

    [Fact]
    public void Timestamp_header_that_is_not_unix_milliseconds_makes_the_delivery_unreadable()
    {
        var properties = WithHeaders((HeaderNames.Timestamp, Encoding.UTF8.GetBytes("yesterday")));
        properties.MessageId = "m-5";
        Assert.Null(Read(properties, out var error, out _));
        Assert.Equal("header 'timestamp' is 'yesterday', not an integer", error);
    }

    [Fact]
    public void No_message_id_anywhere_is_unreadable_and_an_empty_header_falls_back_to_the_property()
    {
        Assert.Null(Read(WithHeaders((HeaderNames.MessageId, Array.Empty<byte>())), out var error, out _));
        Assert.Equal("no 'message-id' header and no message_id property", error);
        var properties = WithHeaders((HeaderNames.MessageId, Array.Empty<byte>()));
        properties.MessageId = "m-6";
        Assert.Equal("m-6", Read(properties, out _, out _)!.MessageId);
    }

    [Fact]
    public void Internal_and_broker_headers_are_not_application_headers_and_tables_are_left_out()
    {
        var properties = WithHeaders(("x-dotnet-pub-seq-no", 7L), ("x-death", new List<object?>()), ("x-delivery-count", 2L),
            ("x-received-from", new List<object?> { new Dictionary<string, object?>() }), ("flag", true), ("tenant", "acme"));
        properties.MessageId = "m-7";
        var got = Read(properties, out var error, out _);
        Assert.Null(error);
        Assert.Equal(new Dictionary<string, string> { ["flag"] = "true", ["tenant"] = "acme" }, got!.Headers);
    }
}
