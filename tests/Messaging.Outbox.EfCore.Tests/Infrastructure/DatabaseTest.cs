using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Infrastructure;

/// <summary>Base of every scenario: one database per test class, emptied before each test; hosts stopped after.</summary>
public abstract class DatabaseTest<TDatabase>(TDatabase database, ITestOutputHelper output) : IClassFixture<TDatabase>, IAsyncLifetime
    where TDatabase : TestDatabase
{
    private readonly List<IHost> _hosts = [];
    private readonly List<IHost> _started = [];

    protected TDatabase Database { get; } = database;
    protected ITestOutputHelper Output { get; } = output;

    public Task InitializeAsync() => Database.ClearAsync();

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            if (_started.Contains(host)) await host.StopAsync();
            host.Dispose();
        }
    }

    /// <summary>Builds (and, when <paramref name="start"/>, starts) a host that is stopped after the test.</summary>
    protected async Task<IHost> HostAsync(bool start = true, Action<Messaging.Hosting.MessagingBuilder>? configure = null,
        IDictionary<string, string?>? settings = null)
    {
        var host = TestHost.Build(Database, Output, configure, settings);
        _hosts.Add(host);
        if (start) await StartAsync(host);
        return host;
    }

    protected async Task StartAsync(IHost host)
    {
        await host.StartAsync();
        _started.Add(host);
    }

    /// <summary>Stops a host without waiting for its hosted services (as if the process were killed).</summary>
    protected async Task AbandonAsync(IHost host)
    {
        _started.Remove(host);
        using var abandon = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await host.StopAsync(abandon.Token);
    }

    protected static async Task<T> InScopeAsync<T>(IHost host, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }
}
