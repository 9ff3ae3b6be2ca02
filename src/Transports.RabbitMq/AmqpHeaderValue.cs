using System.Buffers.Text;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using RabbitMQ.Client;

namespace Messaging.RabbitMq;

/// <summary>
/// Reads AMQP header values the way other clients send them (docs/wire-format.md). RabbitMQ.Client 7 hands a
/// long string (field type <c>S</c>) as <c>byte[]</c>, a byte array (<c>x</c>, what pika sends for Python
/// <c>bytes</c>) as <see cref="BinaryTableValue"/>, numbers as their CLR types, <c>T</c> as
/// <see cref="AmqpTimestamp"/>, <c>F</c>/<c>A</c> as a dictionary/list and void (<c>V</c>) as null. Each method
/// returns false with a problem ("is not valid UTF-8", "is a table, not text") when the value cannot be read;
/// callers prefix the header's name. Bytes are never decoded with replacement characters.
/// </summary>
internal static class AmqpHeaderValue
{
    /// <summary>An envelope text field (ids, type, partition key, content type, trace context): UTF-8 bytes of
    /// type <c>S</c> or <c>x</c>, a string, or an integer (its invariant decimal text). Void reads as null.</summary>
    /// <param name="value">The header value as the client hands it.</param>
    /// <param name="text">The text; null for void or when unreadable.</param>
    /// <param name="problem">Why the value is unreadable; null when it was read.</param>
    /// <param name="repeats">The value repeats across messages (<see cref="RepeatedHeaderValues.Repeats"/>): its text is shared.</param>
    public static bool TryReadText(object? value, out string? text, out string? problem, bool repeats = false)
    {
        problem = null;
        switch (value)
        {
            case null:
                text = null;
                return true;
            case string s:
                text = s;
                return true;
            case byte[] or BinaryTableValue:
                return TryDecode(Bytes(value), out text, out problem, repeats);
            case sbyte or byte or short or ushort or int or uint or long or ulong:
                text = ((IFormattable)value).ToString(null, CultureInfo.InvariantCulture);
                return true;
            default:
                text = null;
                problem = $"is {Describe(value)}, not text";
                return false;
        }
    }

    /// <summary>A count (<c>retry-count</c>, <c>x-delivery-count</c>): an integer of any width, an integral decimal
    /// or floating-point number, or its decimal digits as text. Void reads as null; negative is unreadable.</summary>
    public static bool TryReadCount(object? value, out long? count, out string? problem)
    {
        count = null;
        problem = null;
        if (value is null) return true;
        if (!TryReadInteger(value, out var number, out problem)) return false;
        if (number < 0)
        {
            problem = $"is {number}, not a count";
            return false;
        }
        count = number;
        return true;
    }

    /// <summary>The <c>timestamp</c> header: Unix time in milliseconds as digits or an integer, or an AMQP timestamp
    /// (<c>T</c>, Unix seconds). Void reads as null.</summary>
    public static bool TryReadTime(object? value, out DateTimeOffset? time, out string? problem)
    {
        time = null;
        problem = null;
        if (value is null) return true;
        if (value is AmqpTimestamp timestamp)
        {
            time = DateTimeOffset.FromUnixTimeSeconds(timestamp.UnixTime);
            return true;
        }
        if (!TryReadInteger(value, out var unixMs, out problem)) return false;
        if (unixMs is < -62135596800000 or > 253402300799999) // DateTimeOffset's range
        {
            problem = $"is {unixMs}, out of range for Unix milliseconds";
            return false;
        }
        time = DateTimeOffset.FromUnixTimeMilliseconds(unixMs);
        return true;
    }

    /// <summary>An application header, which the envelope holds as text: text and integers as in
    /// <see cref="TryReadText"/>, other numbers in invariant culture, booleans as <c>true</c>/<c>false</c>, an AMQP
    /// timestamp as Unix seconds. A table or an array has no text form: null without a problem (left out of the
    /// envelope, kept on the message itself). Only bytes that are not UTF-8 are unreadable.</summary>
    public static bool TryReadApplication(object? value, out string? text, out string? problem)
    {
        switch (value)
        {
            case byte[] or BinaryTableValue or string:
                return TryReadText(value, out text, out problem);
            case bool flag:
                text = flag ? "true" : "false";
                problem = null;
                return true;
            case AmqpTimestamp timestamp:
                text = timestamp.UnixTime.ToString(CultureInfo.InvariantCulture);
                problem = null;
                return true;
            case float or double or decimal:
                text = ((IFormattable)value).ToString(null, CultureInfo.InvariantCulture);
                problem = null;
                return true;
            case IDictionary or IList: // byte[] is an IList too: matched above
                text = null;
                problem = null;
                return true;
            default:
                return TryReadText(value, out text, out problem);
        }
    }

    /// <summary>True when the value is bytes (<c>S</c> or <c>x</c>) that are not valid UTF-8.</summary>
    public static bool IsNotUtf8(object? value) => value is byte[] or BinaryTableValue && !Utf8.IsValid(Bytes(value));

    private static bool TryReadInteger(object value, out long number, out string? problem)
    {
        problem = null;
        switch (value)
        {
            case sbyte or byte or short or ushort or int or uint or long:
                number = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                return true;
            case ulong big:
                number = big <= long.MaxValue ? (long)big : 0;
                problem = big <= long.MaxValue ? null : $"is {big}, too large";
                return problem is null;
            case decimal d when d == decimal.Truncate(d) && d is >= long.MinValue and <= long.MaxValue:
                number = (long)d;
                return true;
            case double or float when Convert.ToDouble(value, CultureInfo.InvariantCulture) is var f
                && Math.Floor(f) == f && f is >= -9.2e18 and <= 9.2e18:
                number = (long)f;
                return true;
            case byte[] digits when Utf8Parser.TryParse(digits, out number, out var consumed) && consumed == digits.Length && IsPlainInteger(digits):
                return true; // the common case (timestamp, retry-count), read without making a string first
            case byte[] or BinaryTableValue or string:
                if (!TryReadText(value, out var text, out problem)) { number = 0; return false; }
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number)) return true;
                problem = $"is '{Shorten(text!)}', not an integer";
                return false;
            default:
                number = 0;
                problem = $"is {Describe(value)}, not an integer";
                return false;
        }
    }

    private static bool TryDecode(byte[] bytes, out string? text, out string? problem, bool repeats)
    {
        if (!Utf8.IsValid(bytes))
        {
            text = null;
            problem = "is not valid UTF-8";
            return false;
        }
        text = repeats ? RepeatedHeaderValues.Decode(bytes) : Encoding.UTF8.GetString(bytes);
        problem = null;
        return true;
    }

    /// <summary>An optional '-' and then only ASCII digits: what <see cref="long.TryParse(string?, NumberStyles, IFormatProvider?, out long)"/>
    /// with <see cref="NumberStyles.AllowLeadingSign"/> reads the same way.</summary>
    private static bool IsPlainInteger(ReadOnlySpan<byte> digits)
    {
        if (digits.Length > 0 && digits[0] == (byte)'-') digits = digits[1..];
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    private static byte[] Bytes(object value) => value is BinaryTableValue binary ? binary.Bytes ?? [] : (byte[])value;

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";

    /// <summary>The AMQP field type of a value, for problems.</summary>
    private static string Describe(object value) => value switch
    {
        bool => "a boolean (t)",
        float or double => "a floating-point number (f/d)",
        decimal => "a decimal (D)",
        AmqpTimestamp => "a timestamp (T)",
        IDictionary => "a table (F)",
        IList => "an array (A)",
        _ => $"a {value.GetType().Name}",
    };
}
