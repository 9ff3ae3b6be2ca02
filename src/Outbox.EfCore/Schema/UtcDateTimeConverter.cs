using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Messaging.Outbox.Schema;

/// <summary>Writes UTC times as they are and marks times read back as UTC (SQLite returns them unspecified).</summary>
internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc))
{
    public static UtcDateTimeConverter Instance { get; } = new();
}
