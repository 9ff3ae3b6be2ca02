using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Messaging.Outbox;

/// <summary>PostgreSQL: claims lock their candidates with <c>FOR UPDATE SKIP LOCKED</c>, so several dispatchers claim at
/// once without waiting on each other; <c>pg_notify</c> in the writing transaction and <c>LISTEN</c> through Npgsql's
/// <see cref="NpgsqlConnection.Notification"/> and <see cref="NpgsqlConnection.WaitAsync(CancellationToken)"/>.</summary>
internal sealed class PostgresDialect : OutboxDialect
{
    public static readonly PostgresDialect Instance = new();

    public override string Name => "PostgreSQL";
    public override bool ConcurrentWriters => true;
    public override bool SavepointSharesCommand => true; // SAVEPOINT completes without a row count: Npgsql's count is the insert's
    public override string CandidateLock => " FOR UPDATE SKIP LOCKED";
    public override bool SupportsNotify => true;
    public override bool IdsAsArray => true;

    public override string IdsIn(string column, int count) => $"{column} = ANY(@ids)";

    public override void AddIds(System.Data.Common.DbCommand command, IReadOnlyList<long> ids) => AddParameter(command, "@ids", ids.ToArray());

    public override Task NotifyAsync(DbContext db, string channel, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync("SELECT pg_notify({0}, '')", [channel], cancellationToken);

    public override async Task ListenAsync(DbContext db, string channel, Action notified, Action listening, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        void OnNotification(object sender, NpgsqlNotificationEventArgs e) => notified();
        connection.Notification += OnNotification;
        try
        {
            var listen = "LISTEN \"" + channel.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""; // quoted identifier, quotes doubled
            await db.Database.ExecuteSqlRawAsync(listen, cancellationToken).ConfigureAwait(false);
            listening();
            while (true) await connection.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            connection.Notification -= OnNotification;
        }
    }
}
