using Messaging.Cli.Database;
using Messaging.Outbox;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Messaging.Cli.Configuration;

/// <summary>
/// The application's database: a connection string (<c>--connection</c>, or <c>ConnectionStrings:&lt;--connection-name&gt;</c>,
/// or the only entry of <c>ConnectionStrings</c>), its provider (<c>--provider</c>, else told from the string) and the
/// messaging tables' names, as the application maps them with <c>AddMessagingTables</c>.
/// </summary>
internal sealed class DatabaseTarget
{
    private DatabaseTarget(string provider, string connectionString, CliTables tables)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Tables = tables;
    }

    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    public string Provider { get; }

    /// <summary>The connection string; never printed (see <see cref="Describe"/>).</summary>
    public string ConnectionString { get; }

    public CliTables Tables { get; }

    public static DatabaseTarget Resolve(IConfiguration configuration, string? connection, string? connectionName, string? provider, CliTables tables)
    {
        var connectionString = connection ?? Named(configuration, connectionName);
        provider = provider?.ToLowerInvariant() ?? Guess(connectionString);
        if (provider is not ("sqlite" or "postgres"))
            throw new CliException($"--provider is '{provider}'; allowed values: sqlite, postgres.");
        if (provider == "sqlite") connectionString = ExistingSqliteFile(connectionString);
        return new DatabaseTarget(provider, connectionString, tables);
    }

    /// <summary>Where the database is, without user or password: <c>postgres 127.0.0.1:5432/orders</c> or <c>sqlite /path/file.db</c>.</summary>
    public string Describe()
    {
        if (Provider == "sqlite") return "sqlite " + new SqliteConnectionStringBuilder(ConnectionString).DataSource;
        var pg = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"postgres {pg.Host}:{pg.Port}/{pg.Database}";
    }

    public CliDbContext Open()
    {
        var options = new DbContextOptionsBuilder<CliDbContext>();
        if (Provider == "sqlite") options.UseSqlite(ConnectionString);
        else options.UseNpgsql(ConnectionString);
        options.UseMessagingConnections(); // SQLite: wait for the application's write lock
        options.ReplaceService<Microsoft.EntityFrameworkCore.Infrastructure.IModelCacheKeyFactory, CliModelCacheKeyFactory>();
        return new CliDbContext(options.Options, Tables);
    }

    private static string Named(IConfiguration configuration, string? name)
    {
        var strings = configuration.GetSection("ConnectionStrings").GetChildren().Where(c => !string.IsNullOrEmpty(c.Value)).ToList();
        if (name is not null)
            return strings.FirstOrDefault(c => string.Equals(c.Key, name, StringComparison.OrdinalIgnoreCase))?.Value
                ?? throw new CliException($"--connection-name: ConnectionStrings has no '{name}'; it has: {Names(strings)}.");
        return strings.Count switch
        {
            1 => strings[0].Value!,
            0 => throw new CliException("No database: give --connection, or --config with a ConnectionStrings section (or ConnectionStrings__<name> in the environment)."),
            _ => throw new CliException($"ConnectionStrings has several entries ({Names(strings)}); choose one with --connection-name."),
        };
    }

    private static string Names(List<IConfigurationSection> strings) => strings.Count == 0 ? "none" : string.Join(", ", strings.Select(s => s.Key));

    private static string Guess(string connectionString)
    {
        var text = connectionString.ToLowerInvariant();
        if (text.Contains("host=", StringComparison.Ordinal) || text.Contains("server=", StringComparison.Ordinal)) return "postgres";
        if (text.Contains("data source=", StringComparison.Ordinal) || text.Contains("datasource=", StringComparison.Ordinal)
            || text.Contains("filename=", StringComparison.Ordinal)) return "sqlite";
        throw new CliException("Cannot tell the database from the connection string; give --provider sqlite|postgres.");
    }

    /// <summary>A SQLite file that exists, opened read-write (never created: a typo must not answer "0 rows").</summary>
    private static string ExistingSqliteFile(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var path = Path.GetFullPath(builder.DataSource);
        if (!File.Exists(path)) throw new CliException($"SQLite database '{path}' does not exist (a relative path is taken from the current directory).");
        builder.DataSource = path;
        builder.Mode = SqliteOpenMode.ReadWrite;
        return builder.ToString();
    }
}
