using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Messaging.Outbox;

/// <summary>The outbox table and column names as the application's model maps them, quoted for raw SQL.</summary>
internal sealed class OutboxTableNames
{
    private readonly Dictionary<string, string> _columns = new(StringComparer.Ordinal);

    private OutboxTableNames(DbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(OutboxMessage))
            ?? throw new InvalidOperationException(
                $"{db.GetType().Name} has no outbox table: call modelBuilder.AddMessagingTables() in its OnModelCreating.");
        var sql = db.GetService<ISqlGenerationHelper>();
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        Table = sql.DelimitIdentifier(table.Name, table.Schema);
        foreach (var property in entity.GetProperties())
            _columns[property.Name] = sql.DelimitIdentifier(property.GetColumnName(table)!);
    }

    /// <summary>The quoted, schema-qualified table name.</summary>
    public string Table { get; }

    /// <summary>The quoted column of an <see cref="OutboxMessage"/> property.</summary>
    public string this[string property] => _columns[property];

    public static OutboxTableNames For(DbContext db) => new(db);

    /// <summary>The PostgreSQL <c>LISTEN</c>/<c>NOTIFY</c> channel: the outbox table's name (schema-qualified when set).</summary>
    public static string NotifyChannel(DbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(OutboxMessage));
        var table = entity?.GetTableName() ?? OutboxMessageMapping.DefaultTableName;
        return entity?.GetSchema() is { } schema ? schema + "." + table : table;
    }
}
