using Messaging.Testing.Outages;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Messaging.Tests;

/// <summary>An outage run's database on the test run's PostgreSQL server: a uniquely named database, dropped (WITH
/// FORCE) on dispose.</summary>
internal static class PostgresOutageDatabase
{
    /// <param name="serverConnectionString">The server, as an Npgsql connection string without <c>Database</c>
    /// (tests/Containers/PostgresServer gives it).</param>
    public static OutageDatabase Create(string serverConnectionString)
    {
        var server = new NpgsqlConnectionStringBuilder(serverConnectionString);
        var name = "messaging_outage_" + Guid.NewGuid().ToString("N")[..12];
        var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name }.ToString();
        return new OutageDatabase("PostgreSQL", $"{server.Host}:{server.Port}", options => options.UseNpgsql(connectionString), async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(server.ConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        });
    }
}
