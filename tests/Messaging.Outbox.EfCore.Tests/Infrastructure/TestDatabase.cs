using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox.Tests.Infrastructure;

/// <summary>A real database for one test class: created (with the schema) before, dropped after.</summary>
public abstract class TestDatabase : IAsyncLifetime
{
    public abstract string Provider { get; }

    public abstract void Configure(DbContextOptionsBuilder options);

    public ShopContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<ShopContext>();
        Configure(builder);
        builder.UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking); // each check reads the database afresh
        return new ShopContext(builder.Options);
    }

    public async Task InitializeAsync()
    {
        await CreateDatabaseAsync();
        await using var db = CreateContext();
        await db.Database.EnsureCreatedAsync();
        await AfterSchemaCreatedAsync(db);
    }

    public Task DisposeAsync() => DropDatabaseAsync();

    /// <summary>Empties every table so each test starts clean (tests of one class run one after another).</summary>
    public async Task ClearAsync()
    {
        await using var db = CreateContext();
        await db.Set<OutboxMessage>().ExecuteDeleteAsync();
        await db.Set<InboxRecord>().ExecuteDeleteAsync();
        await db.Orders.ExecuteDeleteAsync();
        await db.Shipments.ExecuteDeleteAsync();
    }

    /// <summary>Prepares <paramref name="db"/>, before it is used, so that <see cref="LockWatch.Waiting"/> completes once
    /// it waits for a lock another session holds: proof that two sessions really run at once. Dispose the watch before
    /// <paramref name="db"/>.</summary>
    public abstract Task<LockWatch> WatchLockWaitAsync(ShopContext db);

    protected abstract Task CreateDatabaseAsync();
    protected virtual Task AfterSchemaCreatedAsync(ShopContext db) => Task.CompletedTask;
    protected abstract Task DropDatabaseAsync();
}

/// <summary>See <see cref="TestDatabase.WatchLockWaitAsync"/>.</summary>
public sealed class LockWatch(Task waiting, Action? stop = null) : IDisposable
{
    /// <summary>Completes when the watched session waits for a lock.</summary>
    public Task Waiting => waiting;

    public void Dispose() => stop?.Invoke();
}
