using System.Text;
using RabbitMQ.Client;
using Xunit;

namespace Messaging.RabbitMq.Tests;

/// <summary>Every AMQP field type as RabbitMQ.Client 7 hands it over, read as text, as a count and as a time.</summary>
public sealed class AmqpHeaderValueTests
{
    private static readonly byte[] NotUtf8 = [0x61, 0xC3, 0x28];

    public static TheoryData<object?, string?> ReadableAsText => new()
    {
        { Encoding.UTF8.GetBytes("id-ü-1"), "id-ü-1" },                    // S: long string
        { new BinaryTableValue(Encoding.UTF8.GetBytes("id-ü-1")), "id-ü-1" }, // x: byte array (pika's bytes)
        { "id-1", "id-1" },                                                 // a string set in code
        { (sbyte)-5, "-5" }, { (byte)5, "5" }, { (short)-300, "-300" }, { (ushort)300, "300" },
        { -70000, "-70000" }, { 70000u, "70000" }, { 9007199254740993L, "9007199254740993" }, { ulong.MaxValue, "18446744073709551615" },
        { null, null },                                                      // V: void reads as absent
    };

    [Theory]
    [MemberData(nameof(ReadableAsText))]
    public void Text_field_reads_bytes_strings_and_integers(object? value, string? expected)
    {
        Assert.True(AmqpHeaderValue.TryReadText(value, out var text, out var problem), problem);
        Assert.Equal(expected, text);
    }

    public static TheoryData<object, string> UnreadableAsText => new()
    {
        { NotUtf8, "is not valid UTF-8" },
        { new BinaryTableValue(NotUtf8), "is not valid UTF-8" },
        { true, "is a boolean (t), not text" },
        { 1.5d, "is a floating-point number (f/d), not text" },
        { 1.5f, "is a floating-point number (f/d), not text" },
        { 12.50m, "is a decimal (D), not text" },
        { new AmqpTimestamp(1_700_000_000), "is a timestamp (T), not text" },
        { new Dictionary<string, object?> { ["a"] = 1 }, "is a table (F), not text" },
        { new List<object?> { 1 }, "is an array (A), not text" },
    };

    [Theory]
    [MemberData(nameof(UnreadableAsText))]
    public void Text_field_refuses_what_has_no_exact_text(object value, string expected)
    {
        Assert.False(AmqpHeaderValue.TryReadText(value, out var text, out var problem));
        Assert.Null(text);
        Assert.Equal(expected, problem);
    }

    public static TheoryData<object?, long?> ReadableAsCount => new()
    {
        { Encoding.UTF8.GetBytes("3"), 3 }, { new BinaryTableValue(Encoding.UTF8.GetBytes("3")), 3 }, { "3", 3 },
        { (sbyte)3, 3 }, { (byte)3, 3 }, { (short)3, 3 }, { (ushort)3, 3 }, { 3, 3 }, { 3u, 3 }, { 3L, 3 }, { 3UL, 3 },
        { 3.0m, 3 }, { 3.0d, 3 }, { 3.0f, 3 }, { 0, 0 }, { null, null },
    };

    [Theory]
    [MemberData(nameof(ReadableAsCount))]
    public void Count_reads_every_integer_width_integral_numbers_and_digits(object? value, long? expected)
    {
        Assert.True(AmqpHeaderValue.TryReadCount(value, out var count, out var problem), problem);
        Assert.Equal(expected, count);
    }

    public static TheoryData<object, string> UnreadableAsCount => new()
    {
        { Encoding.UTF8.GetBytes("three"), "is 'three', not an integer" },
        { NotUtf8, "is not valid UTF-8" },
        { -1, "is -1, not a count" },
        { 2.5d, "is a floating-point number (f/d), not an integer" },
        { 2.5m, "is a decimal (D), not an integer" },
        { ulong.MaxValue, "is 18446744073709551615, too large" },
        { true, "is a boolean (t), not an integer" },
        { new AmqpTimestamp(1), "is a timestamp (T), not an integer" },
        { new Dictionary<string, object?>(), "is a table (F), not an integer" },
    };

    [Theory]
    [MemberData(nameof(UnreadableAsCount))]
    public void Count_refuses_what_is_not_a_whole_non_negative_number(object value, string expected)
    {
        Assert.False(AmqpHeaderValue.TryReadCount(value, out _, out var problem));
        Assert.Equal(expected, problem);
    }

    [Fact]
    public void Time_reads_unix_milliseconds_as_digits_or_integer_and_an_amqp_timestamp_as_seconds()
    {
        var expected = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        foreach (var value in new object[] { Encoding.UTF8.GetBytes("1700000000123"), new BinaryTableValue(Encoding.UTF8.GetBytes("1700000000123")), 1_700_000_000_123L })
        {
            Assert.True(AmqpHeaderValue.TryReadTime(value, out var time, out var problem), problem);
            Assert.Equal(expected, time);
        }
        Assert.True(AmqpHeaderValue.TryReadTime(new AmqpTimestamp(1_700_000_000), out var seconds, out _));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), seconds);
        Assert.False(AmqpHeaderValue.TryReadTime(Encoding.UTF8.GetBytes("2026-11-29T10:00:00Z"), out _, out var iso));
        Assert.Equal("is '2026-11-29T10:00:00Z', not an integer", iso);
        Assert.False(AmqpHeaderValue.TryReadTime(long.MaxValue, out _, out var range));
        Assert.Contains("out of range", range, StringComparison.Ordinal);
    }

    [Fact]
    public void Application_header_has_a_text_form_for_every_scalar_and_leaves_tables_and_arrays_out()
    {
        static string? Read(object? value)
        {
            Assert.True(AmqpHeaderValue.TryReadApplication(value, out var text, out var problem), problem);
            return text;
        }
        Assert.Equal("acme", Read(new BinaryTableValue(Encoding.UTF8.GetBytes("acme"))));
        Assert.Equal("acme", Read(Encoding.UTF8.GetBytes("acme")));
        Assert.Equal("true", Read(true));
        Assert.Equal("false", Read(false));
        Assert.Equal("1.5", Read(1.5d));
        Assert.Equal("12.50", Read(12.50m));
        Assert.Equal("42", Read(42));
        Assert.Equal("1700000000", Read(new AmqpTimestamp(1_700_000_000)));
        Assert.Null(Read(new Dictionary<string, object?> { ["a"] = 1 }));
        Assert.Null(Read(new List<object?> { 1 }));
        Assert.Null(Read(null));
        Assert.False(AmqpHeaderValue.TryReadApplication(new BinaryTableValue(NotUtf8), out _, out var problem));
        Assert.Equal("is not valid UTF-8", problem);
    }

    [Fact]
    public void Only_bytes_can_be_not_utf8()
    {
        Assert.True(AmqpHeaderValue.IsNotUtf8(NotUtf8));
        Assert.True(AmqpHeaderValue.IsNotUtf8(new BinaryTableValue(NotUtf8)));
        Assert.False(AmqpHeaderValue.IsNotUtf8(Encoding.UTF8.GetBytes("ok")));
        Assert.False(AmqpHeaderValue.IsNotUtf8(42));
        Assert.False(AmqpHeaderValue.IsNotUtf8(null));
    }
}
