using System.Text;
using Confluent.Kafka;
using Xunit;

namespace Messaging.Kafka.Tests;

/// <summary>Reading an envelope from a record as other clients produce it (docs/wire-format.md, Kafka).</summary>
public sealed class KafkaEnvelopeMapperTests
{
    private static ConsumeResult<string?, byte[]> Record(string? key, params (string Name, byte[]? Value)[] headers)
    {
        var kafkaHeaders = new Headers();
        foreach (var (name, value) in headers) kafkaHeaders.Add(name, value);
        return new ConsumeResult<string?, byte[]>
        {
            TopicPartitionOffset = new TopicPartitionOffset("orders", 0, 5),
            Message = new Message<string?, byte[]> { Key = key, Value = [1], Headers = kafkaHeaders, Timestamp = new Timestamp(DateTime.UnixEpoch.AddSeconds(1_700_000_000)) },
        };
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Our_record_reads_back_field_for_field()
    {
        var sent = new Envelope
        {
            MessageId = Envelope.NewMessageId(), MessageType = "orders.OrderPlaced", Destination = "orders", PartitionKey = "customer-7",
            CorrelationId = "corr", CausationId = "cause", Headers = new Dictionary<string, string> { ["tenant"] = "acme" },
            Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), Body = new byte[] { 1, 2 },
        };
        var message = KafkaEnvelopeMapper.ToMessage(sent);
        var record = new ConsumeResult<string?, byte[]> { TopicPartitionOffset = new TopicPartitionOffset("orders", 0, 1), Message = message };
        Assert.True(KafkaEnvelopeMapper.TryReadEnvelope(record, out var got, out var error, out var conflict), error);
        Assert.Null(conflict);
        Assert.Equal(sent with { Body = got.Body, Headers = got.Headers }, got);
        Assert.Equal(sent.Headers, got.Headers);
    }

    [Fact]
    public void Key_alone_is_the_partition_key_and_wins_over_a_differing_header()
    {
        Assert.True(KafkaEnvelopeMapper.TryReadEnvelope(Record("k", (HeaderNames.MessageId, Utf8("m-1"))), out var keyOnly, out _, out var none));
        Assert.Equal("k", keyOnly.PartitionKey);
        Assert.Null(none);
        Assert.True(KafkaEnvelopeMapper.TryReadEnvelope(Record("k", (HeaderNames.MessageId, Utf8("m-1")), (HeaderNames.PartitionKey, Utf8("h"))), out var both, out _, out var conflict));
        Assert.Equal("k", both.PartitionKey);
        Assert.Equal("h", conflict);
        Assert.True(KafkaEnvelopeMapper.TryReadEnvelope(Record(null, (HeaderNames.MessageId, Utf8("m-1")), (HeaderNames.PartitionKey, Utf8("h"))), out var headerOnly, out _, out _));
        Assert.Equal("h", headerOnly.PartitionKey);
    }

    [Fact]
    public void Header_without_a_value_is_no_value()
    {
        Assert.False(KafkaEnvelopeMapper.TryReadEnvelope(Record("k", (HeaderNames.MessageId, null)), out _, out var error));
        Assert.Equal("record has no message-id header", error);
        Assert.True(KafkaEnvelopeMapper.TryReadEnvelope(Record("k", (HeaderNames.MessageId, Utf8("m-1")), (HeaderNames.CorrelationId, null)), out var envelope, out _));
        Assert.Null(envelope.CorrelationId);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-11-29T10:00:00Z")]
    [InlineData("99999999999999999")] // past DateTimeOffset's range: refused, never an exception in the consumer
    public void Timestamp_that_is_not_unix_milliseconds_makes_the_record_unreadable(string timestamp)
    {
        Assert.False(KafkaEnvelopeMapper.TryReadEnvelope(Record("k", (HeaderNames.MessageId, Utf8("m-1")), (HeaderNames.Timestamp, Utf8(timestamp))), out _, out var error));
        Assert.Equal("header 'timestamp' is not Unix milliseconds", error);
    }

    [Fact]
    public void Timestamp_header_wins_and_the_record_timestamp_stands_in_when_there_is_none()
    {
        Assert.True(KafkaEnvelopeMapper.TryReadEnvelope(Record("k", (HeaderNames.MessageId, Utf8("m-1")), (HeaderNames.Timestamp, Utf8(" 1700000000123"))), out var padded, out _));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), padded.Timestamp);
        Assert.True(KafkaEnvelopeMapper.TryReadEnvelope(Record("k", (HeaderNames.MessageId, Utf8("m-1"))), out var none, out _));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), none.Timestamp);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_name_the_first_such_header()
    {
        Assert.False(KafkaEnvelopeMapper.TryReadEnvelope(Record("k", (HeaderNames.MessageId, Utf8("m-1")), ("tenant", [0x61, 0xC3, 0x28]), ("other", [0xFF])), out _, out var error));
        Assert.Equal("header 'tenant' is not valid UTF-8", error);
    }
}
