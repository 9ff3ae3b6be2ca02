using System.Runtime.CompilerServices;
using Messaging.Outbox.Schema;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Messaging.Outbox.Dialects;

/// <summary>A statement over a list of outbox ids: built once per model where the dialect takes the ids as one array
/// parameter (PostgreSQL), else per call, as its text then depends on how many ids there are.</summary>
internal sealed class IdsStatement(Func<OutboxDialect, OutboxTableNames, int, string> build)
{
    private readonly ConditionalWeakTable<IModel, string> _byModel = [];

    public string For(DbContext db, OutboxDialect dialect, int count)
    {
        if (!dialect.IdsAsArray) return build(dialect, OutboxTableNames.For(db), count);
        if (_byModel.TryGetValue(db.Model, out var cached)) return cached;
        var sql = build(dialect, OutboxTableNames.For(db), count);
        _byModel.AddOrUpdate(db.Model, sql);
        return sql;
    }
}
