using System.Text;
using Xunit;

namespace Messaging.Tests;

/// <summary>The reading side of the header table, shared by every transport: what <see cref="EnvelopeHeaders.Write{TState}"/>
/// wrote reads back as the same envelope, and what the wire contract does not allow is a problem, never a guess.</summary>
public class EnvelopeHeaderReaderTests
{
    private static readonly Envelope Sent = new()
    {
        MessageId = "m-1",
        MessageType = "orders.placed",
        Destination = "orders",
        PartitionKey = "customer-7",
        CorrelationId = "corr",
        CausationId = "cause",
        ContentType = "application/json",
        Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_123),
        Headers = new Dictionary<string, string> { ["tenant"] = "acme", ["ünïcode"] = "välue" },
        Body = new byte[] { 1, 2, 3 },
    };

    [Fact]
    public void What_Write_wrote_as_bytes_reads_back_as_the_same_envelope()
    {
        var table = new List<(string Name, byte[] Value)>();
        foreach (var (name, value) in Sent.Headers) table.Add((name, Encoding.UTF8.GetBytes(value)));
        EnvelopeHeaders.Write(Sent, table, static (t, name, value) => t.Add((name, Encoding.UTF8.GetBytes(value))));

        var reader = new EnvelopeHeaderReader();
        foreach (var (name, value) in table) reader.ReadUtf8(name, value);
        var read = reader.ToEnvelope("ignored", DateTimeOffset.UnixEpoch, Sent.Body);

        Assert.Null(reader.Problem);
        Assert.Equal(Sent with { Headers = read.Headers, Body = read.Body }, read);
        Assert.Equal(Sent.Headers, read.Headers);
        Assert.Equal(Sent.Body.ToArray(), read.Body.ToArray());
    }

    [Fact]
    public void Empty_fields_are_absent_and_the_brokers_own_values_fill_them()
    {
        var reader = new EnvelopeHeaderReader();
        reader.Read(HeaderNames.MessageId, "m-2");
        reader.Read(HeaderNames.PartitionKey, "");
        reader.Read(HeaderNames.CorrelationId, null);
        reader.Read(HeaderNames.RetryCount, "3"); // the transport's, not the envelope's
        reader.Read("flag", null);
        var at = DateTimeOffset.FromUnixTimeSeconds(1_765_000_000);

        var read = reader.ToEnvelope("topic-a", at, Array.Empty<byte>(), partitionKey: "record-key");

        Assert.Null(reader.Problem);
        Assert.Equal("topic-a", read.Destination);
        Assert.Equal(at, read.Timestamp);
        Assert.Equal("record-key", read.PartitionKey);
        Assert.Null(reader.PartitionKey);
        Assert.Null(read.CorrelationId);
        Assert.Equal("application/octet-stream", read.ContentType);
        Assert.Equal(new Dictionary<string, string> { ["flag"] = "" }, read.Headers);
    }

    [Theory]
    [InlineData("2026-11-29T10:00:00Z", "header 'timestamp' is not Unix milliseconds")]
    [InlineData("999999999999999999", "header 'timestamp' is not Unix milliseconds")]
    public void A_timestamp_that_is_not_Unix_milliseconds_is_a_problem(string value, string problem)
    {
        var reader = new EnvelopeHeaderReader();
        reader.ReadUtf8(HeaderNames.Timestamp, Encoding.UTF8.GetBytes(value));
        Assert.Equal(problem, reader.Problem);
        Assert.Null(reader.Timestamp);
    }

    [Fact]
    public void Bytes_that_are_not_UTF8_are_a_problem_and_the_first_problem_is_kept()
    {
        var reader = new EnvelopeHeaderReader();
        reader.ReadUtf8("tenant", [0xC3, 0x28]);
        reader.ReadUtf8(HeaderNames.MessageId, [0xFF]);
        Assert.Equal("header 'tenant' is not valid UTF-8", reader.Problem);
        Assert.Empty(reader.ApplicationHeaders);
    }
}
