using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Messaging.Outbox.Inbox;

/// <summary>A context's relational options (connection string, given connection, who owns it), extracted once per
/// <see cref="IDbContextOptions"/>: extracting sorts the options' extensions, and the inbox asks for every message, while
/// pooled contexts share one options object.</summary>
internal static class ContextConnectionOptions
{
    private static readonly ConditionalWeakTable<IDbContextOptions, RelationalOptionsExtension> ByOptions = [];

    public static RelationalOptionsExtension Of(DbContext db) =>
        ByOptions.GetValue(db.GetService<IDbContextOptions>(), RelationalOptionsExtension.Extract);
}
