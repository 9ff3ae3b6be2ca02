using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Messaging.Outbox.Schema;

/// <summary>The outbox's (or inbox's) table and column names as the application's model maps them, quoted for raw
/// SQL, so custom schema and table names keep working in the hand-written statements.</summary>
internal sealed class OutboxTableNames
{
    private readonly Dictionary<string, string> _columns = new(StringComparer.Ordinal);

    private OutboxTableNames(DbContext db, Type entityType)
    {
        var entity = db.Model.FindEntityType(entityType)
            ?? throw new InvalidOperationException(
                $"{db.GetType().Name} has no {entityType.Name} table: call modelBuilder.AddMessagingTables() in its OnModelCreating.");
        var sql = db.GetService<ISqlGenerationHelper>();
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        Table = sql.DelimitIdentifier(table.Name, table.Schema);
        foreach (var property in entity.GetProperties())
            _columns[property.Name] = sql.DelimitIdentifier(property.GetColumnName(table)!);
    }

    /// <summary>The quoted, schema-qualified table name.</summary>
    public string Table { get; }

    /// <summary>The quoted column of a property of the entity.</summary>
    public string this[string property] => _columns[property];

    /// <summary>Every quoted column the model maps for the entity.</summary>
    public IEnumerable<string> Columns => _columns.Values;

    /// <summary>The table of <paramref name="entityType"/>, one of the messaging entities.</summary>
    public static OutboxTableNames Of(DbContext db, Type entityType) => new(db, entityType);

    /// <summary>The outbox table (<see cref="OutboxMessage"/>).</summary>
    public static OutboxTableNames For(DbContext db) => new(db, typeof(OutboxMessage));

    /// <summary>The inbox table (<see cref="InboxRecord"/>).</summary>
    public static OutboxTableNames ForInbox(DbContext db) => new(db, typeof(InboxRecord));

    /// <summary>The redeliveries table (<see cref="RedeliveryRecord"/>).</summary>
    public static OutboxTableNames ForRedeliveries(DbContext db) => new(db, typeof(RedeliveryRecord));

    /// <summary>The PostgreSQL <c>LISTEN</c>/<c>NOTIFY</c> channel: the outbox table's name (schema-qualified when set).</summary>
    public static string NotifyChannel(DbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(OutboxMessage));
        var table = entity?.GetTableName() ?? OutboxMessageMapping.DefaultTableName;
        return entity?.GetSchema() is { } schema ? schema + "." + table : table;
    }
}
