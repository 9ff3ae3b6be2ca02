using System.Collections.Frozen;
using System.Globalization;

namespace Messaging;

/// <summary>
/// The envelope's fields as they travel in headers, once for every transport and the outbox (docs/wire-format.md):
/// which header names are reserved, and each field's header value in the order they are written.
/// </summary>
public static class EnvelopeHeaders
{
    /// <summary>Names that carry envelope fields or transport bookkeeping (<see cref="HeaderNames.RetryCount"/>); a header
    /// of one of these names is never an application header, in either direction.</summary>
    public static readonly FrozenSet<string> Reserved = new[]
    {
        HeaderNames.MessageId, HeaderNames.MessageType, HeaderNames.Destination, HeaderNames.ContentType, HeaderNames.Timestamp,
        HeaderNames.PartitionKey, HeaderNames.CorrelationId, HeaderNames.CausationId, HeaderNames.RetryCount,
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>True when <paramref name="name"/> is an application header (not reserved).</summary>
    /// <param name="name">A header name (case-sensitive, as on the wire).</param>
    /// <returns>False for the names in <see cref="Reserved"/>.</returns>
    public static bool IsApplication(string name) => !Reserved.Contains(name);

    /// <summary>How many headers <see cref="Write{TState}"/> writes for <paramref name="envelope"/> (to size a table).</summary>
    /// <param name="envelope">The envelope.</param>
    /// <returns>5 to 8: the always-present fields plus partition key, correlation and causation ids when set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="envelope"/> is null.</exception>
    public static int CountOf(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return 5 + (envelope.PartitionKey is null ? 0 : 1) + (envelope.CorrelationId is null ? 0 : 1) + (envelope.CausationId is null ? 0 : 1);
    }

    /// <summary>Calls <paramref name="put"/> with each envelope field's header name and text value (the timestamp as
    /// Unix milliseconds); fields that are null are left out. The state argument keeps the call allocation-free.</summary>
    /// <typeparam name="TState">The caller's state, passed through to <paramref name="put"/>.</typeparam>
    /// <param name="envelope">The envelope.</param>
    /// <param name="state">Passed to every call of <paramref name="put"/> (the header table being filled).</param>
    /// <param name="put">Receives the state, the header name (<see cref="HeaderNames"/>) and its text value.</param>
    /// <exception cref="ArgumentNullException"><paramref name="envelope"/> or <paramref name="put"/> is null.</exception>
    public static void Write<TState>(Envelope envelope, TState state, Action<TState, string, string> put)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(put);
        put(state, HeaderNames.MessageId, envelope.MessageId);
        put(state, HeaderNames.MessageType, envelope.MessageType);
        put(state, HeaderNames.Destination, envelope.Destination);
        put(state, HeaderNames.ContentType, envelope.ContentType);
        put(state, HeaderNames.Timestamp, envelope.Timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        if (envelope.PartitionKey is not null) put(state, HeaderNames.PartitionKey, envelope.PartitionKey);
        if (envelope.CorrelationId is not null) put(state, HeaderNames.CorrelationId, envelope.CorrelationId);
        if (envelope.CausationId is not null) put(state, HeaderNames.CausationId, envelope.CausationId);
    }

    /// <summary>A header's value as the bytes a transport writes for it (docs/wire-format.md): UTF-8, through the shared
    /// copies of <see cref="RepeatedHeaderValues"/> for names whose values repeat across messages.</summary>
    /// <param name="name">The header name.</param>
    /// <param name="value">Its text.</param>
    /// <returns>The UTF-8 bytes; for a repeating name, a shared array the caller must not change.</returns>
    public static byte[] ToBytes(string name, string value) =>
        RepeatedHeaderValues.Repeats(name) ? RepeatedHeaderValues.Encode(value) : System.Text.Encoding.UTF8.GetBytes(value);
}
