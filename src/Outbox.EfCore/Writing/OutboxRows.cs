namespace Messaging.Outbox.Writing;

/// <summary>Converts between envelopes and outbox rows: the envelope's columns through <see cref="EnvelopeRow"/>, the
/// producer's timestamp in <see cref="OutboxMessage.CreatedAt"/>.</summary>
internal static class OutboxRows
{
    public static OutboxMessage ToRow(Envelope envelope, string? transport = null, DateTime? notBefore = null)
    {
        var row = new OutboxMessage
        {
            CreatedAt = envelope.Timestamp.UtcDateTime,
            Transport = transport,
            NotBefore = notBefore,
            Status = OutboxStatus.Pending,
        };
        row.CopyFrom(envelope, envelope.Headers);
        return row;
    }

    public static Envelope ToEnvelope(OutboxMessage row) =>
        row.ToEnvelope(new DateTimeOffset(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc)), EnvelopeRow.ParseHeaders(row.Headers));
}
