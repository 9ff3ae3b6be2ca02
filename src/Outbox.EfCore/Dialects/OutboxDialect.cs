using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox.Dialects;

/// <summary>
/// Everything the outbox does differently per database, in one object per provider (chosen once per EF Core model, that
/// is per context type and provider, by <see cref="For"/>, from EF Core's provider name): the outbox's hand-written SQL
/// statements (OutboxDialect.Statements.cs) and their parameter style, how a claim locks its candidates, whether several
/// writers claim and record at once, what an opened connection needs, and LISTEN/NOTIFY. This base is the safe default for a
/// provider without its own dialect: one writer at a time, no notifications.
/// </summary>
internal partial class OutboxDialect
{
    /// <summary>The dialect of providers without one of their own.</summary>
    public static readonly OutboxDialect SingleWriter = new();

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Microsoft.EntityFrameworkCore.Metadata.IModel, OutboxDialect> ByModel = [];

    /// <summary>The dialect of <paramref name="db"/>'s provider, looked up once per model: EF Core builds a model per
    /// provider, and <c>ProviderName</c> reads an assembly name (allocating) each time it is asked, several times per
    /// message.</summary>
    public static OutboxDialect For(DbContext db)
    {
        if (ByModel.TryGetValue(db.Model, out var dialect)) return dialect;
        dialect = db.Database.ProviderName switch
        {
            "Npgsql.EntityFrameworkCore.PostgreSQL" => PostgresDialect.Instance,
            "Microsoft.EntityFrameworkCore.Sqlite" => SqliteDialect.Instance,
            _ => SingleWriter,
        };
        ByModel.AddOrUpdate(db.Model, dialect);
        return dialect;
    }

    /// <summary>The provider, for logs.</summary>
    public virtual string Name => "single-writer database";

    /// <summary>Several dispatchers and writers work at once: a claim locks its candidates (<see cref="CandidateLock"/>),
    /// skips rows whose Sent mark is still being written, and the next claim overlaps the recording. When false, the
    /// claim statement holds the database's only write lock, so the dispatcher first looks with a plain read (an idle
    /// dispatcher must not block the application's writes) and records before it claims again.</summary>
    public virtual bool ConcurrentWriters => false;

    /// <summary>Statements can go as one <see cref="DbBatch"/> (one round trip, a row count per statement) with positional
    /// parameters (<c>$1</c>…, unnamed), which the driver sends without parsing or rewriting the SQL (Npgsql's raw mode).
    /// Not by default: Microsoft.Data.Sqlite has no batches.</summary>
    public virtual bool PositionalBatches => false;

    /// <summary>True when <see cref="IdsIn"/> does not depend on the number of ids (one array parameter), so a statement
    /// using it can be built once per model.</summary>
    public virtual bool IdsAsArray => false;

    /// <summary>The condition "<paramref name="column"/> is one of <paramref name="count"/> ids", matching
    /// <see cref="AddIds"/>'s parameters: by default <c>IN (@id0, …)</c>.</summary>
    public virtual string IdsIn(string column, int count) =>
        $"{column} IN ({string.Join(", ", Enumerable.Range(0, count).Select(i => "@id" + i))})";

    /// <summary>Adds the parameters of <see cref="IdsIn"/> to <paramref name="command"/>.</summary>
    public virtual void AddIds(DbCommand command, IReadOnlyList<long> ids)
    {
        for (var i = 0; i < ids.Count; i++) AddParameter(command, "@id" + i, ids[i]);
    }

    /// <summary>The statement <paramref name="sql"/>, written with the named parameters <paramref name="names"/>
    /// (<c>@name</c>), as this dialect takes it; made once when a statement is built. The command then gets its values
    /// through <see cref="Add"/> in the order of <paramref name="names"/>.</summary>
    public virtual string Parameters(string sql, params string[] names) => sql;

    /// <summary>Adds the value of the parameter <paramref name="name"/> (in the order <see cref="Parameters"/> was given).</summary>
    public virtual void Add(DbCommand command, string name, object value) => AddParameter(command, name, value);

    /// <summary>Adds one named parameter to <paramref name="command"/>.</summary>
    public static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>Appended to the claim's candidate query.</summary>
    public virtual string CandidateLock => "";

    /// <summary>Whether <see cref="NotifyAsync"/> and <see cref="ListenAsync"/> work.</summary>
    public virtual bool SupportsNotify => false;

    /// <summary>Runs once on every connection the outbox's context opens (synchronous open).</summary>
    public virtual void ConnectionOpened(DbConnection connection) { }

    /// <summary>Runs once on every connection the outbox's context opens (asynchronous open).</summary>
    public virtual Task ConnectionOpenedAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Sends a notification on <paramref name="channel"/> within the current transaction (delivered on commit).</summary>
    public virtual Task NotifyAsync(DbContext db, string channel, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Listens on <paramref name="channel"/> over <paramref name="db"/>'s connection until cancelled, calling
    /// <paramref name="notified"/> for each notification; <paramref name="listening"/> once the subscription is in place.</summary>
    /// <exception cref="NotSupportedException">The database has no notifications (<see cref="SupportsNotify"/> is false).</exception>
    public virtual Task ListenAsync(DbContext db, string channel, Action notified, Action listening, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{Name} has no LISTEN/NOTIFY.");
}
