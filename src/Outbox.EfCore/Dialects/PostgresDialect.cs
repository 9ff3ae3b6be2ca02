using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Messaging.Outbox.Dialects;

/// <summary>PostgreSQL: claims lock their candidates with <c>FOR UPDATE SKIP LOCKED</c>, so several dispatchers claim at
/// once without waiting on each other; <c>pg_notify</c> in the writing transaction and <c>LISTEN</c> through Npgsql's
/// <see cref="NpgsqlConnection.Notification"/> and <see cref="NpgsqlConnection.WaitAsync(CancellationToken)"/>.</summary>
internal sealed class PostgresDialect : OutboxDialect
{
    public static readonly PostgresDialect Instance = new();

    public override string Name => "PostgreSQL";
    public override bool ConcurrentWriters => true;
    public override bool PositionalBatches => true;
    public override string CandidateLock => " FOR UPDATE SKIP LOCKED";
    public override bool SupportsNotify => true;
    public override bool IdsAsArray => true;

    public override string IdsIn(string column, int count) => $"{column} = ANY(@ids)";

    public override void AddIds(System.Data.Common.DbCommand command, IReadOnlyList<long> ids) => Add(command, "@ids", ids.ToArray());

    /// <summary>Positional (<c>$1</c>…): Npgsql then sends the SQL as it is, without parsing and rewriting it on every
    /// execution (its raw mode).</summary>
    public override string Parameters(string sql, params string[] names)
    {
        for (var i = 0; i < names.Length; i++)
        {
            var position = "$" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            sql = System.Text.RegularExpressions.Regex.Replace(sql, System.Text.RegularExpressions.Regex.Escape(names[i]) + @"\b", _ => position);
        }
        return sql;
    }

    public override void Add(System.Data.Common.DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter(); // unnamed: positional
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

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
