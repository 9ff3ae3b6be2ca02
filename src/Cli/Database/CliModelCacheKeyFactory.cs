using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Messaging.Cli.Database;

/// <summary>EF Core caches one model per context type; the CLI's model depends on the table names it was given.</summary>
internal sealed class CliModelCacheKeyFactory : IModelCacheKeyFactory
{
    public object Create(DbContext context, bool designTime) =>
        context is CliDbContext cli ? (context.GetType(), cli.Tables, designTime) : (object)(context.GetType(), designTime);
}
