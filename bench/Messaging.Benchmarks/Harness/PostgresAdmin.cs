using Npgsql;

namespace Messaging.Benchmarks.Harness;

/// <summary>Creates and drops whole benchmark databases (never timed).</summary>
public static class PostgresAdmin
{
    public static async Task RecreateAsync(string database, CancellationToken cancellationToken)
    {
        await DropAsync(database, cancellationToken);
        await ExecuteAsync($"CREATE DATABASE \"{database}\"", cancellationToken);
    }

    public static Task DropAsync(string database, CancellationToken cancellationToken) =>
        ExecuteAsync($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", cancellationToken);

    private static async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(BenchEnvironment.Postgres("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
